"""The one import page of the people admin, shared by the observers' list (onboarding.py) and the
assignments' (people.py): the coordinator picks one of their organizations and an election and
uploads a file; a file with any wrong line changes nothing and its problems are listed.
"""

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from core.errors import NotFound
from stations.importers import CsvImportError

ERRORS_SHOWN = 500


def import_file_view(
    model_admin,
    request,
    form,
    *,
    run: Callable,
    refused: str,
    done: Callable[[object], str],
    redirect_to: str,
    title: str,
    template: str,
):
    """The page of `form` (organization, election, file): `run(organization=, election=, data=, by=)`
    reads the file; `refused` is said at the organization when it answers NotFound (the user does not
    coordinate it), `done(result)` when it succeeds, before going to the admin URL `redirect_to`."""
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = run(
                organization=form.cleaned_data["organization"],
                election=form.cleaned_data["election"],
                data=form.cleaned_data["file"].read(),
                by=request.user,
            )
        except CsvImportError as exc:
            errors = exc.errors
        except NotFound:
            form.add_error("organization", refused)
        else:
            messages.success(request, done(result))
            return redirect(reverse(redirect_to))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "form": form,
        "errors": errors[:ERRORS_SHOWN],
        "errors_total": len(errors),
        "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
    }
    # A refused file (a loaded one was redirected) answers 400, as the observer pages' forms do.
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, template, context, status=status)
