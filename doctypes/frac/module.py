"""FRAC and Competencies: the competency dictionary, positions, FRAC roles and role maps with
their two-level review, the passbook, the gap rollups, capacity building plans' progress,
talent search and the MDO dashboard."""

from __future__ import annotations

import click

from app.i18n import N_
from app.registry import (
    ApiMethod,
    Attention,
    Command,
    DocEvent,
    Figure,
    Job,
    Module,
    Page,
    Param,
    RecordWords,
    Related,
    SetupStep,
    ValueNames,
)

from . import api, events, figures, frac, related, reviewers
from .talent_page import TalentView

TAG = "FRAC"


def _check_rebuild(ctx, args):
    ctx.access.require("run_platform_jobs", "rebuild the rollups")


def _run_rebuild(ctx, args, progress):
    from . import frac

    total = ctx.site.unguarded("officer").estimated_document_count()
    done = [0]

    def step(n=1):
        done[0] += n
        progress(done[0], total, f"{done[0]} of {total} officers")

    return frac.rebuild(ctx.as_system(), progress=step)


def _rollups_command(open_site):
    @click.group()
    def rollups():
        """The competency rollups (current levels, gaps, MDO gap summary)."""

    @rollups.command("rebuild")
    @click.option("--background", is_flag=True, help="Queue it as a background job (see `igot worker`).")
    def rebuild(background):
        """Recompute the rollups from scratch (they are otherwise kept current incrementally)."""
        import sys

        from app import jobs

        from . import frac

        site = open_site()
        ctx = site.context("Administrator")
        if background:
            click.echo(f"queued {jobs.submit(ctx, 'rebuild_rollups').name}")
            return
        total = site.unguarded("officer").count_documents({})
        with click.progressbar(length=total, label="rebuilding rollups", file=sys.stderr, show_pos=True) as bar:
            counts = frac.rebuild(ctx, progress=bar.update)
        click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))

    return rollups


MODULE = Module(
    name="FRAC and Competencies",
    after=("Organisation",),
    capabilities=(
        ("search_talent", "search officers across the MDOs one reads by competency and level"),
        ("enter_assessments", "enter assessment results into officers' passbooks"),
        ("enter_course_completions", "enter course completions into passbooks by hand"),
    ),
    methods=(
        ApiMethod(
            "gap",
            api.gap,
            "Competency gaps of an officer (officer=) or an MDO (mdo=)",
            tag=TAG,
            params=(Param("officer"), Param("mdo")),
        ),
        ApiMethod(
            "passbook", api.passbook, "An officer's competency passbook", tag=TAG, params=(Param("officer", required=True),)
        ),
        ApiMethod(
            "talent",
            api.talent,
            "Officers with a competency at a level or above",
            tag=TAG,
            params=(
                Param("competency", required=True),
                Param("level", "integer", required=True),
                Param("mdo"),
                Param("limit", "integer"),
            ),
        ),
        ApiMethod(
            "my_plan",
            api.my_plan,
            "Capacity building plan items assigned to an officer",
            tag=TAG,
            params=(Param("officer", required=True),),
        ),
        ApiMethod(
            "plan_progress",
            api.plan_progress,
            "Completion of a capacity building plan per item and position",
            tag=TAG,
            params=(Param("plan", required=True),),
        ),
        ApiMethod("mdo_dashboard", api.mdo_dashboard, "An MDO's figures, from rollups", tag=TAG, params=(Param("mdo"),)),
    ),
    jobs=(Job("rebuild_rollups", "Rebuild competency rollups", _check_rebuild, _run_rebuild),),
    commands=(Command(_rollups_command),),
    pages=(Page(TalentView, "Talent Search", "talent", "talent", "FRAC and Competencies"),),
    figures=(
        Figure(figures.gaps, "Gaps appear once role maps are verified and officers hold positions.", "role_map/"),
        Figure(figures.passbook_verified, "Passbook entries appear as officers complete courses.", "passbook_entry/"),
        Figure(
            figures.gaps_by_position,
            "Gaps by position appear once officers hold positions whose role maps are verified.",
            "officer/",
        ),
    ),
    related=(
        Related("Officer", related.officer_position, 10),
        Related("Officer", related.officer_gaps, 20),
        Related("Officer", related.officer_passbook, 30),
        Related("Role Map", reviewers.role_map_reviewers, 5),
        Related("Role Map", related.role_map_position, 10),
        Related("Role Map", related.role_map_officers, 20),
    ),
    attention=(
        Attention(
            "Role maps with the L1 reviewers",
            "Role Map",
            (("workflow_state", "=", "Submitted"),),
            ("act", "write"),
        ),
        Attention(
            "Role maps with the L2 reviewers",
            "Role Map",
            (("workflow_state", "=", "L1 Verified"),),
            ("act", "write"),
        ),
        Attention("Passbook entries to verify", "Passbook Entry", (("workflow_state", "=", "Pending"),)),
        Attention("Competencies proposed", "Competency", (("workflow_state", "=", "Proposed"),)),
    ),
    setup_steps=(
        SetupStep(
            35,
            "Have the FRAC reviewers of each MDO appointed",
            "Each MDO's role maps are verified by its L1 and L2 reviewers: these MDOs' nodal officers have none yet.",
            "User",
            (),
            "user/new/",
            done=reviewers.every_mdo_has_reviewers,
            detail=reviewers.mdos_missing_detail,
        ),
        SetupStep(
            30,
            "Describe the FRAC roles",
            "The roles your positions play, with their activities and the competencies they need.",
            "FRAC Role",
            (),
            "frac_role/new/",
            audience="lead_an_mdo",
        ),
        SetupStep(
            40,
            "Build the role map of a position",
            "A position's role map gathers its FRAC roles; once verified, officers in the position see their gaps.",
            "Role Map",
            (),
            "role_map/new/",
            audience="lead_an_mdo",
        ),
        SetupStep(
            50,
            "Have your reviewers appointed",
            "The System Manager appoints the L1 and L2 reviewers who verify your role maps; until then a map sent for review "
            "waits for no one.",
            "User",
            (),
            "role_map/",
            audience="lead_an_mdo",
            done=reviewers.mdo_has_reviewers,
            detail=reviewers.mdo_missing_detail,
        ),
        SetupStep(
            60,
            "Have a role map verified",
            "Send the role map for review; it is in force once both reviewers verify it.",
            "Role Map",
            (("workflow_state", "=", "Verified"),),
            "role_map/",
            audience="lead_an_mdo",
        ),
    ),
    events=(
        DocEvent("Officer", "on_update", events.officer_changed, resumable=True, batch=events.officers_changed),
        DocEvent("Officer", "on_trash", events.officer_deleted),
    ),
    # a role map is for a position, a passbook entry an officer's claim to a competency
    record_words=(
        RecordWords("Role Map", N_("the role map for %(position_name)s")),
        RecordWords(
            "Passbook Entry",
            N_("the passbook entry of %(officer_name)s for %(competency)s"),
            yours=N_("your passbook entry for %(competency)s"),
        ),
    ),
    value_names=(ValueNames(frac.LEVEL_FIELDS, frac.level_names),),
)
