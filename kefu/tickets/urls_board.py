"""The lead board, the department task inbox, the callback queue and the ticket dashboard
(combined with ``urls_desk`` under the "tickets" namespace in :mod:`kefu.tickets.urls`)."""

from django.urls import path

from kefu.tickets import views_board

urlpatterns: list = [
    path("board/", views_board.board, name="board"),
    path("board/<int:ticket_id>/remind/", views_board.board_remind, name="board_remind"),
    path("board/<int:ticket_id>/supervise/", views_board.board_supervise, name="board_supervise"),
    path("board/<int:ticket_id>/assign/", views_board.board_assign, name="board_assign"),
    path("tasks/", views_board.tasks, name="tasks"),
    path("tasks/<int:task_id>/complete/", views_board.task_complete, name="task_complete"),
    path("callbacks/", views_board.callbacks, name="callbacks"),
    path("callbacks/<int:callback_id>/record/", views_board.callback_record, name="callback_record"),
    path("dashboard/", views_board.dashboard, name="dashboard"),
]
