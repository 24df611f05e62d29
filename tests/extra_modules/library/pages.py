"""The Library module's admin page: the signed-in user's MDOs' open loans."""

from flask_admin import BaseView, expose

from admin.common import Guarded, user_ctx
from app import query


class LoansView(Guarded, BaseView):
    @expose("/")
    def index(self):
        rows, _ = query.get_list(user_ctx(), "Book Loan", filters={"returned": False}, order_by="due_on", with_total=False)
        return self.render("igot/loans.html", loans=rows)
