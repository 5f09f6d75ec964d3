"""Routing: who is on call, roster files, and the escalation state machine.

A pure library: time is always passed in, nothing here touches a database,
the network or a clock, so the app persists state and executes commands.
"""

from routing.escalation import EscalationState, decide, overdue, rearm, resolve_step
from routing.events import (
    AlertCoordinators,
    AlertInfo,
    Cancel,
    Command,
    Decline,
    Event,
    HandBack,
    Notify,
    OwnerReleased,
    OwnerSilent,
    ScheduleTimer,
    Start,
    Take,
    TakeAccepted,
    TakeRejected,
    TellPerson,
    TimerFired,
    Transfer,
    WithdrawAlerts,
)
from routing.model import Layer, Operator, Override, Policy, Restriction, Roster, Schedule, Shift, Step, Target
from routing.queue import QueueItem, queue_order
from routing.roster_file import ISSUE_TEXTS, RosterError, RosterIssue, diff_roster, dump_roster, parse_roster
from routing.schedule import Reach, on_call, on_call_by_language, out_of_hours, timeline

__all__ = [
    "ISSUE_TEXTS", "AlertCoordinators", "AlertInfo", "Cancel", "Command", "Decline", "EscalationState", "Event",
    "HandBack", "Layer", "Notify", "Operator", "Override", "OwnerReleased", "OwnerSilent", "Policy",
    "QueueItem", "Reach", "Restriction", "Roster", "RosterError", "RosterIssue", "Schedule", "ScheduleTimer",
    "Shift", "Start", "Step", "Take", "TakeAccepted", "TakeRejected", "Target", "TellPerson",
    "TimerFired", "Transfer", "WithdrawAlerts", "decide", "diff_roster", "dump_roster", "on_call",
    "on_call_by_language", "out_of_hours", "overdue", "parse_roster", "queue_order", "rearm",
    "resolve_step", "timeline",
]
