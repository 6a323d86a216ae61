from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from kefu.core.navigation import is_department_staff
from kefu.home import selectors


@login_required
def home(request):
    user = request.user
    if is_department_staff(user):
        return render(request, "home/home.html", {
            "role": "department", "cards": selectors.department_staff_cards(user),
            "tasks": selectors.department_tasks(user),
            "department": user.department,
        })
    return render(request, "home/home.html", {
        "role": selectors.primary_role(user),
        "cards": selectors.cards_for(user),
        "calendar_warning": selectors.calendar_warning(user),
        "charts": selectors.manager_charts(user),
    })
