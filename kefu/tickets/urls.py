"""Ticket pages. The agent's desk and the ticket detail live in ``urls_desk``; the lead board, the
department task inbox, the callback queue and the dashboard in ``urls_board``."""

from kefu.tickets.urls_board import urlpatterns as board_urlpatterns
from kefu.tickets.urls_desk import urlpatterns as desk_urlpatterns

app_name = "tickets"
urlpatterns = desk_urlpatterns + board_urlpatterns
