"""The observer's messages and the "I need help" form. Both work as plain HTML forms; outreach.js
keeps the messages for offline reading and sends the alert through the outbox, ahead of the rest."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from api.pages.observer import observer_required
from api.pages.outreach_forms import AlertForm
from core.errors import ApplicationError, NotFound
from outreach.selectors import deliveries_for_observer, unread_count
from outreach.services import alert_raise, message_mark_read, messages_mark_received
from people.selectors import assigned_stations

MESSAGES_PER_PAGE = 50


@observer_required
def message_list(request):
    page = Paginator(deliveries_for_observer(request.user), MESSAGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    messages_mark_received(page.object_list)
    # Shown at the time of the observer's election, as every other time on these pages.
    station = assigned_stations(request.user).first()
    zone = station.election.timezone if station else settings.DEFAULT_ELECTION_TIMEZONE
    context = {"page_obj": page, "zone": zone, "unread_count": unread_count(request.user)}
    return render(request, "observe/messages.html", context)


@require_POST
@observer_required
def message_read(request, message_id: int):
    """Without JavaScript: the button under a message. With it, the outbox calls the API instead."""
    try:
        message_mark_read(user=request.user, message_id=message_id)
    except NotFound:
        raise Http404 from None
    return redirect(f"{reverse('observe:messages')}#message-{message_id}")


def _help_page(request, form, status: int = 200):
    """The form with the observer's stations to choose from, and what was sent when it is refused."""
    chosen = (
        form.data if form.is_bound else {"id": form.initial["id"], "station": form.initial.get("station")}
    )
    context = {
        "help_page": True,
        "help_id": chosen.get("id"),
        "kinds": form.fields["kind"].choices,
        "station_choices": form.fields["station"].choices[1:],
        "chosen": chosen,
        "errors": form.errors,
        "general_errors": [*form.non_field_errors(), *form.errors.get("id", [])],
    }
    return render(request, "observe/_help_page.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@observer_required
def help_request(request):
    """The "I need help" form on a page of its own, and where it posts without JavaScript."""
    if request.method != "POST":
        return _help_page(request, AlertForm(user=request.user, initial={"id": uuid.uuid4()}))
    form = AlertForm(request.POST, user=request.user)
    if not form.is_valid():
        return _help_page(request, form, status=400)
    data = form.cleaned_data
    try:
        _alert, created = alert_raise(
            observer=request.user,
            id=data["id"],
            station_id=data["station"],
            kind=data["kind"],
            note=data["note"],
            at=timezone.now(),
            latitude=data["latitude"],
            longitude=data["longitude"],
        )
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _help_page(request, form, status=404 if isinstance(exc, NotFound) else 400)
    if created:
        messages.success(request, _("Your alert was received. Your coordinators have been told."))
    else:
        messages.info(request, _("Your alert had already arrived. Your coordinators have been told."))
    return redirect("observe:stations")
