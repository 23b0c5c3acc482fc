"""Notes on a coaching session, under a mount (app.core.mount), SPEC §6. They act in the
organization of X-Organization-Id, else the user's current one. Rules: docs/coaching.md."""

from __future__ import annotations

from uuid import UUID

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.coaching.acting import acting_organization
from app.coaching.notes.schemas import SessionNoteCreate, SessionNotePublic, SessionNoteUpdate
from app.coaching.notes.service import SessionNoteService
from app.core import responses
from app.core.access import ORG_MEMBER
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.pagination import PageQuery
from app.core.request import TandemRequest

NOTES = "/sessions/<session_id:uuid>/notes"
NOTE = NOTES + "/<note_id:uuid>"
HIDDEN = "No such session or note, or not one the caller may read"


def blueprint(mount: Mount, *, notes: SessionNoteService) -> Blueprint:
    """Handlers use the service given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("session_notes")

    @bp.post(NOTES)
    @endpoint(
        ORG_MEMBER,
        body=SessionNoteCreate,
        response=SessionNotePublic,
        status=201,
        problems={
            403: "Not a participant of the session's open mentorship, nor a Manager",
            404: "No such session, or not one the caller may see",
        },
        summary="Write a note on a coaching session",
        tag="session_notes",
        operation_id="session_notes_create",
    )
    async def create_note(request: TandemRequest, session_id: UUID, body: SessionNoteCreate) -> HTTPResponse:
        note = await notes.create(request.actor, acting_organization(request), session_id, body)
        return responses.created(note, location=mount.path(f"/sessions/{session_id}/notes/{note.id}"))

    @bp.get(NOTES)
    @endpoint(
        ORG_MEMBER,
        query=PageQuery,
        response=SessionNotePublic,
        listing=True,
        problems={404: "No such session, or not one the caller may see"},
        summary="The notes of a coaching session the caller may read, newest first",
        tag="session_notes",
        operation_id="session_notes_list",
    )
    async def list_notes(request: TandemRequest, session_id: UUID, query: PageQuery) -> HTTPResponse:
        return responses.listing(
            await notes.list(request.actor, acting_organization(request), session_id, query)
        )

    @bp.get(NOTE)
    @endpoint(
        ORG_MEMBER,
        response=SessionNotePublic,
        problems={404: HIDDEN},
        summary="One note of a coaching session",
        tag="session_notes",
        operation_id="session_notes_get",
    )
    async def get_note(request: TandemRequest, session_id: UUID, note_id: UUID) -> HTTPResponse:
        return responses.ok(await notes.get(request.actor, acting_organization(request), session_id, note_id))

    @bp.patch(NOTE)
    @endpoint(
        ORG_MEMBER,
        body=SessionNoteUpdate,
        response=SessionNotePublic,
        problems={403: "Not the note's author", 404: HIDDEN},
        summary="Change my note's text or visibility",
        tag="session_notes",
        operation_id="session_notes_update",
    )
    async def update_note(
        request: TandemRequest, session_id: UUID, note_id: UUID, body: SessionNoteUpdate
    ) -> HTTPResponse:
        note = await notes.update(request.actor, acting_organization(request), session_id, note_id, body)
        return responses.ok(note)

    @bp.delete(NOTE)
    @endpoint(
        ORG_MEMBER,
        problems={403: "Not the note's author", 404: HIDDEN},
        summary="Delete my note (for good: its text is not kept)",
        tag="session_notes",
        operation_id="session_notes_delete",
    )
    async def delete_note(request: TandemRequest, session_id: UUID, note_id: UUID) -> HTTPResponse:
        await notes.delete(request.actor, acting_organization(request), session_id, note_id)
        return responses.success()

    return bp
