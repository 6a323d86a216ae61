from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from kefu.home import selectors


@login_required
def home(request):
    user = request.user
    return render(request, "home/home.html", {
        "role": selectors.primary_role(user),
        "cards": selectors.cards_for(user),
        "calendar_warning": selectors.calendar_warning(user),
        "team_chart": selectors.people_by_team_chart(user),
    })
