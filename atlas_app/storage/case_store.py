"""Case conferences in the database: ownership, sharing, co-editing, optimistic saves.

A case belongs to its author (faculty or admin). The owner may share it read-only with the
trainees of their cohort and/or named people, and name faculty co-editors. Every write is one
transaction. :func:`save_case` takes the version the editor started from; if someone saved in
between it raises :class:`VersionConflict` carrying the stored case, so nothing is overwritten.

Every function takes the acting account's id and judges access from the store inside its own
transaction: the actor's role, cohort and activity, the owner's cohort and the case's sharing,
all as they are now. Building, editing and sharing need the faculty or admin role *now*: an
owner or co-editor demoted to trainee keeps read access to the case, nothing more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, or_, select
from sqlalchemy.orm import Session

from atlas_app.cases.model import Case, case_data, case_from_data
from atlas_app.storage.access import AccessDenied, SignedOutError, acting_account
from atlas_app.storage.accounts import User, to_user
from atlas_app.storage.audit import record_event
from atlas_app.storage.db import retry_when_safe, writer
from atlas_app.storage.models import NAME_MAX, CaseMemberRecord, CaseRecord, UserRecord, utc_now

BUILDER_ROLES = ("faculty", "admin")


class CaseAccessError(AccessDenied):
    """This user may not read (or edit, or manage) this case, or it does not exist."""


class VersionConflict(Exception):  # noqa: N818 (the name the pages use)
    """Someone saved the case since ``expected_version``: the stored case is attached."""

    def __init__(self, stored: StoredCase, saved_by: str) -> None:
        super().__init__(
            f"case {stored.id} was saved by {saved_by} (version {stored.version}) "
            "since you opened it"
        )
        self.stored = stored
        self.case = stored.case
        self.version = stored.version
        self.saved_by = saved_by


@dataclass(frozen=True)
class StoredCase:
    id: int
    owner_id: int
    title: str
    case: Case
    version: int
    created_at: datetime
    updated_at: datetime
    updated_by: int
    can_edit: bool
    is_owner: bool


@dataclass(frozen=True)
class CaseSummary:
    id: int
    title: str
    owner_id: int
    version: int
    updated_at: datetime
    access: str  # "owner", "co-editor" or "read-only"


def _title(case: Case) -> str:
    return (getattr(case, "title", "") or "Untitled case")[:NAME_MAX]


def _actor(session: Session, actor_id: int) -> UserRecord:
    """The acting account as stored now (CaseAccessError if it is gone or deactivated)."""
    try:
        return acting_account(session, actor_id)
    except SignedOutError as exc:
        raise CaseAccessError(str(exc)) from exc


def _access(session: Session, actor: UserRecord, record: CaseRecord) -> str | None:
    """How ``actor`` may use the case now: owner, co-editor, read-only, or None."""
    builder = actor.role in BUILDER_ROLES
    if record.owner_id == actor.id:
        return "owner" if builder else "read-only"
    member = session.scalar(
        select(CaseMemberRecord).where(
            CaseMemberRecord.case_id == record.id, CaseMemberRecord.user_id == actor.id
        )
    )
    if member is not None and member.can_edit and builder:
        return "co-editor"
    if member is not None:
        return "read-only"
    if record.shared_with_cohort and actor.cohort is not None:
        owner = session.get(UserRecord, record.owner_id)
        if owner is not None and owner.cohort == actor.cohort:
            return "read-only"
    return None


def _stored(record: CaseRecord, access: str) -> StoredCase:
    return StoredCase(
        id=record.id,
        owner_id=record.owner_id,
        title=record.title,
        case=case_from_data(json.loads(record.data_json)),
        version=record.version,
        created_at=record.created_at,
        updated_at=record.updated_at,
        updated_by=record.updated_by,
        can_edit=access in ("owner", "co-editor"),
        is_owner=access == "owner",
    )


def _load(
    session: Session, actor_id: int, case_id: int, need: str
) -> tuple[UserRecord, CaseRecord, str]:
    """The acting account, the case and the access it has now, if enough for ``need``
    (``read``, ``edit`` or ``own``); CaseAccessError otherwise."""
    actor = _actor(session, actor_id)
    record = session.get(CaseRecord, case_id)
    access = None if record is None else _access(session, actor, record)
    if record is None or access is None:
        raise CaseAccessError(f"no case {case_id} that you may open")
    if need != "read" and actor.role not in BUILDER_ROLES:
        raise CaseAccessError(f"your account is a {actor.role}: only faculty edit cases")
    if need == "edit" and access not in ("owner", "co-editor"):
        raise CaseAccessError(f"case {case_id} is read-only for you")
    if need == "own" and access != "owner":
        raise CaseAccessError(f"only the owner of case {case_id} may do that")
    return actor, record, access


@retry_when_safe
def create_case(engine: Engine, actor_id: int, case: Case) -> StoredCase:
    """Store a new case owned by the acting account (faculty or admin now), at version 1."""
    now = utc_now()
    with Session(writer(engine)) as session, session.begin():
        actor = _actor(session, actor_id)
        if actor.role not in BUILDER_ROLES:
            raise CaseAccessError(f"your account is a {actor.role}: only faculty build cases")
        record = CaseRecord(
            owner_id=actor.id,
            title=_title(case),
            data_json=json.dumps(case_data(case), ensure_ascii=False),
            version=1,
            shared_with_cohort=False,
            created_at=now,
            updated_at=now,
            updated_by=actor.id,
        )
        session.add(record)
        session.flush()
        return _stored(record, "owner")


def get_case(engine: Engine, actor_id: int, case_id: int) -> StoredCase:
    """The case, if the acting account may read it now (CaseAccessError otherwise)."""
    with Session(engine) as session:
        _, record, access = _load(session, actor_id, case_id, "read")
        return _stored(record, access)


def list_cases_for(engine: Engine, actor_id: int) -> list[CaseSummary]:
    """The cases the acting account owns, co-edits or may read now, newest first."""
    with Session(engine) as session:
        actor = _actor(session, actor_id)
        member_ids = select(CaseMemberRecord.case_id).where(CaseMemberRecord.user_id == actor.id)
        cohort_owners = select(UserRecord.id).where(
            UserRecord.cohort == actor.cohort, UserRecord.cohort.is_not(None)
        )
        records = session.scalars(
            select(CaseRecord)
            .where(
                or_(
                    CaseRecord.owner_id == actor.id,
                    CaseRecord.id.in_(member_ids),
                    CaseRecord.shared_with_cohort.is_(True)
                    & CaseRecord.owner_id.in_(cohort_owners),
                )
            )
            .order_by(CaseRecord.updated_at.desc(), CaseRecord.id.desc())
        ).all()
        out = []
        for record in records:
            access = _access(session, actor, record)
            if access is not None:
                out.append(
                    CaseSummary(
                        record.id,
                        record.title,
                        record.owner_id,
                        record.version,
                        record.updated_at,
                        access,
                    )
                )
        return out


@retry_when_safe
def save_case(
    engine: Engine, actor_id: int, case_id: int, case: Case, expected_version: int
) -> StoredCase:
    """Save ``case`` over version ``expected_version``; VersionConflict if it moved on,
    CaseAccessError if the acting account may not edit it now."""
    with Session(writer(engine)) as session, session.begin():
        actor, record, access = _load(session, actor_id, case_id, "edit")
        if record.version != expected_version:
            saver_record = session.get(UserRecord, record.updated_by)
            name = saver_record.display_name if saver_record is not None else "someone"
            raise VersionConflict(_stored(record, access), name)
        record.data_json = json.dumps(case_data(case), ensure_ascii=False)
        record.title = _title(case)
        record.version = expected_version + 1
        record.updated_at = utc_now()
        record.updated_by = actor.id
        session.flush()
        return _stored(record, access)


def _case_name(record: CaseRecord) -> str:
    """How an audit event names a case."""
    return f"case {record.id} “{record.title}”"


@retry_when_safe
def set_cohort_sharing(engine: Engine, actor_id: int, case_id: int, shared: bool) -> None:
    """Share (or stop sharing) read-only with the owner's cohort (owner only)."""
    with Session(writer(engine)) as session, session.begin():
        actor, record, _ = _load(session, actor_id, case_id, "own")
        if bool(record.shared_with_cohort) != bool(shared):
            record.shared_with_cohort = shared
            how = f"shared with cohort {actor.cohort}" if shared else "no longer shared with it"
            record_event(session, actor, "cohort_sharing", _case_name(record), how)


@retry_when_safe
def _set_member(
    engine: Engine, actor_id: int, case_id: int, member_id: int, can_edit: bool
) -> None:
    with Session(writer(engine)) as session, session.begin():
        actor, record, _ = _load(session, actor_id, case_id, "own")
        member = session.get(UserRecord, member_id)
        if member is None or not member.active:
            raise CaseAccessError("that account no longer exists or has been deactivated")
        if member.id == record.owner_id:
            raise CaseAccessError("the owner is already on the case")
        if can_edit and member.role not in BUILDER_ROLES:
            raise CaseAccessError("only faculty can co-edit a case")
        row = session.scalar(
            select(CaseMemberRecord).where(
                CaseMemberRecord.case_id == case_id, CaseMemberRecord.user_id == member.id
            )
        )
        if row is None:
            session.add(CaseMemberRecord(case_id=case_id, user_id=member.id, can_edit=can_edit))
        elif row.can_edit != can_edit:
            row.can_edit = can_edit
        else:
            return  # already so: nothing changes, nothing to record
        action = "coeditor" if can_edit else "share"
        record_event(session, actor, action, _case_name(record), member.username)


def share_case(engine: Engine, actor_id: int, case_id: int, reader_id: int) -> None:
    """Let the account ``reader_id`` read the case (owner only)."""
    _set_member(engine, actor_id, case_id, reader_id, can_edit=False)


def add_coeditor(engine: Engine, actor_id: int, case_id: int, editor_id: int) -> None:
    """Let the faculty account ``editor_id`` edit the case (owner only)."""
    _set_member(engine, actor_id, case_id, editor_id, can_edit=True)


@retry_when_safe
def unshare_case(engine: Engine, actor_id: int, case_id: int, member_id: int) -> None:
    """Remove the account ``member_id`` (reader or co-editor) from the case (owner only)."""
    with Session(writer(engine)) as session, session.begin():
        actor, record, _ = _load(session, actor_id, case_id, "own")
        removed = session.scalars(
            delete(CaseMemberRecord)
            .where(CaseMemberRecord.case_id == case_id, CaseMemberRecord.user_id == member_id)
            .returning(CaseMemberRecord.can_edit)
        ).all()
        if removed:
            member = session.get(UserRecord, member_id)
            name = member.username if member is not None else f"account {member_id}"
            was = "co-editor" if removed[0] else "reader"
            record_event(session, actor, "unshare", _case_name(record), f"{name} ({was})")


@dataclass(frozen=True)
class CaseSharing:
    """Who a case is shared with: the owner's cohort (read-only) and named people."""

    with_cohort: bool
    cohort: str | None  # the owner's cohort
    members: tuple[tuple[User, bool], ...]  # (person, can_edit), by display name


def case_sharing(engine: Engine, actor_id: int, case_id: int) -> CaseSharing:
    """Who the case is shared with (owner only)."""
    with Session(engine) as session:
        _, record, _ = _load(session, actor_id, case_id, "own")
        owner = session.get(UserRecord, record.owner_id)
        rows = session.execute(
            select(UserRecord, CaseMemberRecord.can_edit)
            .join(CaseMemberRecord, CaseMemberRecord.user_id == UserRecord.id)
            .where(CaseMemberRecord.case_id == case_id)
            .order_by(UserRecord.display_name, UserRecord.username)
        ).all()
        members = tuple((to_user(person), bool(can_edit)) for person, can_edit in rows)
        return CaseSharing(
            bool(record.shared_with_cohort), owner.cohort if owner is not None else None, members
        )


@retry_when_safe
def delete_case(engine: Engine, actor_id: int, case_id: int) -> None:
    """Delete the case and its sharing (owner only)."""
    with Session(writer(engine)) as session, session.begin():
        actor, record, _ = _load(session, actor_id, case_id, "own")
        record_event(session, actor, "delete_case", _case_name(record), f"version {record.version}")
        session.execute(delete(CaseMemberRecord).where(CaseMemberRecord.case_id == case_id))
        session.execute(delete(CaseRecord).where(CaseRecord.id == case_id))
