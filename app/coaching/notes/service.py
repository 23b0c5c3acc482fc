"""Session notes (SPEC §6): write, read, change and delete notes on a coaching session.

Who writes: on a session one may see, a participant of its mentorship while it is open,
or a Manager and above (app.core.policy.may_write_session_note). Who reads: the note's
visibility decides (app.core.policy.may_read, over the mentorship's current
participants); a note one may not read is answered as missing (404), in a list as
absent. Who changes or deletes: its author alone (403 to anyone else who may read it).

Deleting is a real delete: a note is its author's words, and a note its author removed
should be gone, not kept out of sight. The audit log keeps that it existed (action,
ids, who, when), never its text.
"""

from __future__ import annotations

from uuid import UUID

from tortoise.expressions import Q

from app.coaching.notes.schemas import SessionNoteCreate, SessionNotePublic, SessionNoteUpdate
from app.coaching.participation import content_audience, mentorship_participants, visible_session
from app.core import errors
from app.core.live_events import publish
from app.core.pagination import Page, PageQuery, Paginator
from app.core.policy import Actor, may_change_session_note, may_read, may_write_session_note
from app.core.scoping import get_scoped_or_404, scoped
from app.core.unit_of_work import UnitOfWork, UnitsOfWork
from models import CoachingSession, Mentorship, SessionNote
from models.coaching import Visibility

NO_SUCH_NOTE = "No such session note"


def public(note: SessionNote) -> SessionNotePublic:
    return SessionNotePublic.model_validate(note)


class SessionNoteService:
    def __init__(self, *, paginator: Paginator, units: UnitsOfWork) -> None:
        self.paginator = paginator
        self.units = units

    async def create(
        self, actor: Actor, organization_id: UUID, session_id: UUID, data: SessionNoteCreate
    ) -> SessionNotePublic:
        async with self.units() as work:
            session, mentorship = await self._session(actor, organization_id, session_id)
            if not may_write_session_note(actor, participant_ids=mentorship_participants(mentorship)):
                raise errors.Forbidden(
                    "Only the coach and coachee of an open mentorship, and Managers, write notes on its sessions"
                )
            note = await SessionNote.create(
                organization_id=organization_id,
                session_id=session.id,
                mentorship_id=mentorship.id,
                author_id=actor.user_id,
                body=data.body,
                visibility=data.visibility,
            )
            self._record(work, "session_note.created", note, mentorship, ["body", "visibility"])
        return public(note)

    async def list(
        self, actor: Actor, organization_id: UUID, session_id: UUID, query: PageQuery
    ) -> Page[SessionNotePublic]:
        """The session's notes the actor may read, newest first."""
        session, mentorship = await self._session(actor, organization_id, session_id)
        participants = mentorship_participants(mentorship)
        # the visibilities policy lets this actor read whoever wrote the note; their own
        # notes whatever their visibility
        readable = [
            visibility.value
            for visibility in Visibility
            if may_read(actor, visibility=visibility, author_id=None, participant_ids=participants)
        ]
        condition = Q(author_id=actor.user_id)
        if readable:
            condition |= Q(visibility__in=readable)
        notes = scoped(SessionNote, organization_id).filter(condition, session_id=session.id)
        return await self.paginator.paginate(
            notes, query, scope=f"session_notes:{session.id}", to_item=public
        )

    async def get(
        self, actor: Actor, organization_id: UUID, session_id: UUID, note_id: UUID
    ) -> SessionNotePublic:
        _, note = await self._readable(actor, organization_id, session_id, note_id)
        return public(note)

    async def update(
        self, actor: Actor, organization_id: UUID, session_id: UUID, note_id: UUID, data: SessionNoteUpdate
    ) -> SessionNotePublic:
        async with self.units() as work:
            mentorship, note = await self._changeable(actor, organization_id, session_id, note_id)
            changed = [
                name
                for name, value in data.model_dump(exclude_unset=True).items()
                if getattr(note, name) != value
            ]
            if not changed:
                return public(note)
            for name in changed:
                setattr(note, name, getattr(data, name))
            await note.save(update_fields=[*changed, "updated_at"])
            self._record(work, "session_note.updated", note, mentorship, changed)
        return public(note)

    async def delete(self, actor: Actor, organization_id: UUID, session_id: UUID, note_id: UUID) -> None:
        async with self.units() as work:
            mentorship, note = await self._changeable(actor, organization_id, session_id, note_id)
            await note.delete()
            self._record(work, "session_note.deleted", note, mentorship, [])

    async def _session(
        self, actor: Actor, organization_id: UUID, session_id: UUID
    ) -> tuple[CoachingSession, Mentorship]:
        session = await visible_session(actor, organization_id, session_id)
        mentorship = await get_scoped_or_404(Mentorship, organization_id, session.mentorship_id)
        return session, mentorship

    async def _readable(
        self,
        actor: Actor,
        organization_id: UUID,
        session_id: UUID,
        note_id: UUID,
        *,
        for_update: bool = False,
    ) -> tuple[Mentorship, SessionNote]:
        """The note, if the actor may see its session and read it; else the same 404 as a
        missing one."""
        session, mentorship = await self._session(actor, organization_id, session_id)
        query = scoped(SessionNote, organization_id).filter(id=note_id, session_id=session.id)
        note = await (query.select_for_update() if for_update else query).first()
        if note is None or not may_read(
            actor,
            visibility=Visibility(note.visibility),
            author_id=note.author_id,
            participant_ids=mentorship_participants(mentorship),
        ):
            raise errors.NotFound(NO_SUCH_NOTE)
        return mentorship, note

    async def _changeable(
        self, actor: Actor, organization_id: UUID, session_id: UUID, note_id: UUID
    ) -> tuple[Mentorship, SessionNote]:
        mentorship, note = await self._readable(actor, organization_id, session_id, note_id, for_update=True)
        if not may_change_session_note(actor, author_id=note.author_id):
            raise errors.Forbidden("Only its author changes or deletes a note")
        return mentorship, note

    @staticmethod
    def _record(
        work: UnitOfWork, action: str, note: SessionNote, mentorship: Mentorship, changed: list[str]
    ) -> None:
        """The audit row (names of fields, never the text) and the live event, whose
        audience is the note's visibility over the mentorship's current participants."""
        work.audit(
            action,
            target=("session_note", note.id),
            organization_id=note.organization_id,
            changed_fields=changed,
        )
        audience = content_audience(mentorship, Visibility(note.visibility), author_id=note.author_id)
        publish(work, action, note.organization_id, public(note), audience=audience)
