"""The agent's desk, the create form and the ticket page (combined in kefu.tickets.urls)."""

from django.urls import path

from kefu.tickets import views_attach, views_desk, views_detail

urlpatterns = [
    path("", views_desk.desk, name="desk"),
    path("new/", views_desk.create, name="create"),
    path("on-duty/", views_desk.on_duty, name="on_duty"),
    path("caller/", views_desk.caller_lookup, name="caller"),
    path("replies/", views_attach.replies, name="replies"),
    path("replies/used/", views_attach.reply_used, name="reply_used"),
    path("attachments/<int:attachment_id>/", views_attach.attachment, name="attachment"),
    path("<int:ticket_id>/", views_detail.detail, name="detail"),
    path("<int:ticket_id>/claim/", views_desk.claim, name="claim"),
    path("<int:ticket_id>/message/", views_detail.message, name="message"),
    path("<int:ticket_id>/transition/", views_detail.transition, name="transition"),
    path("<int:ticket_id>/handover/", views_detail.handover, name="handover"),
    path("<int:ticket_id>/escalate/", views_detail.escalate, name="escalate"),
    path("<int:ticket_id>/compensation/", views_detail.compensation, name="compensation"),
    path("<int:ticket_id>/compensation/<int:compensation_id>/decide/", views_detail.decide, name="decide"),
    path("<int:ticket_id>/callback/", views_detail.callback, name="callback"),
    path("<int:ticket_id>/supervise/", views_detail.supervise, name="supervise"),
    path("<int:ticket_id>/remind/", views_detail.remind, name="remind"),
    path("<int:ticket_id>/assign/", views_detail.assign, name="assign"),
    path("<int:ticket_id>/merge/", views_detail.merge, name="merge"),
    path("<int:ticket_id>/edit/", views_detail.edit, name="edit"),
    path("<int:ticket_id>/recovery/", views_detail.recovery, name="recovery"),
    path("<int:ticket_id>/handling-time/", views_detail.handling_time, name="handling_time"),
    path("<int:ticket_id>/attach/", views_attach.attach, name="attach"),
]
