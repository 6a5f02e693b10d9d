"""Writes a work_logs.db the way the seed (nanobot) does, with the single-bot note's WorkLogManager.

The tables, the SQL and the datetime handling are the note's own (work-logs-single-bot.md, 1.1 and 1.2),
so the database is what a nanobot installation has. Usage: python3 nanobot_work_logs.py OUT.db
"""
import json
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Optional


class LogLevel(Enum):
    INFO = "info"
    THINKING = "thinking"
    DECISION = "decision"
    CORRECTION = "correction"
    UNCERTAINTY = "uncertainty"
    WARNING = "warning"
    ERROR = "error"
    TOOL = "tool"


@dataclass
class WorkLogEntry:
    timestamp: datetime
    level: LogLevel
    step: int
    category: str
    message: str
    details: dict = field(default_factory=dict)
    confidence: Optional[float] = None
    duration_ms: Optional[int] = None
    tool_name: Optional[str] = None
    tool_input: Optional[dict] = None
    tool_output: Optional[Any] = None
    tool_status: Optional[str] = None
    tool_error: Optional[str] = None


@dataclass
class WorkLog:
    session_id: str
    query: str
    start_time: datetime
    end_time: Optional[datetime] = None
    entries: list = field(default_factory=list)
    final_output: Optional[str] = None


# A fixed clock, so the database is the same every run.
NOW = [datetime(2026, 2, 12, 10, 31, 5, 123456)]


def now():
    NOW[0] += timedelta(milliseconds=250)
    return NOW[0]


class WorkLogManager:
    def __init__(self, db_path):
        self.current_log = None
        self.db_path = db_path
        self._init_db()

    def _init_db(self):
        with sqlite3.connect(self.db_path) as conn:
            conn.execute("""
                CREATE TABLE IF NOT EXISTS work_logs (
                    id TEXT PRIMARY KEY,
                    session_id TEXT UNIQUE,
                    query TEXT,
                    start_time TIMESTAMP,
                    end_time TIMESTAMP,
                    final_output TEXT,
                    entry_count INTEGER DEFAULT 0
                )
            """)
            conn.execute("""
                CREATE TABLE IF NOT EXISTS work_log_entries (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    work_log_id TEXT,
                    step INTEGER,
                    timestamp TIMESTAMP,
                    level TEXT,
                    category TEXT,
                    message TEXT,
                    details_json TEXT,
                    confidence REAL,
                    duration_ms INTEGER,
                    tool_name TEXT,
                    tool_input_json TEXT,
                    tool_output_json TEXT,
                    tool_status TEXT,
                    FOREIGN KEY (work_log_id) REFERENCES work_logs(id)
                )
            """)
            conn.execute("CREATE INDEX IF NOT EXISTS idx_entries_work_log ON work_log_entries(work_log_id)")
            conn.execute("CREATE INDEX IF NOT EXISTS idx_work_logs_session ON work_logs(session_id)")

    def start_session(self, session_id, query):
        self.current_log = WorkLog(session_id=session_id, query=query, start_time=now())
        with sqlite3.connect(self.db_path) as conn:
            conn.execute(
                "INSERT INTO work_logs (id, session_id, query, start_time) VALUES (?, ?, ?, ?)",
                (session_id, session_id, query, self.current_log.start_time))
        return self.current_log

    def log(self, level, category, message, details=None, confidence=None, duration_ms=None):
        entry = WorkLogEntry(timestamp=now(), level=level, step=len(self.current_log.entries) + 1,
                             category=category, message=message, details=details or {},
                             confidence=confidence, duration_ms=duration_ms)
        self.current_log.entries.append(entry)
        self._save_entry(entry)
        return entry

    def log_tool(self, tool_name, tool_input, tool_output, tool_status, duration_ms):
        entry = WorkLogEntry(timestamp=now(), level=LogLevel.TOOL, step=len(self.current_log.entries) + 1,
                             category="tool_execution", message=f"Executed {tool_name}",
                             details={"tool": tool_name, "status": tool_status}, duration_ms=duration_ms,
                             tool_name=tool_name, tool_input=tool_input, tool_output=tool_output,
                             tool_status=tool_status)
        self.current_log.entries.append(entry)
        self._save_entry(entry)
        return entry

    def _save_entry(self, entry):
        with sqlite3.connect(self.db_path) as conn:
            conn.execute(
                """INSERT INTO work_log_entries
                   (work_log_id, step, timestamp, level, category, message,
                    details_json, confidence, duration_ms, tool_name,
                    tool_input_json, tool_output_json, tool_status)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (self.current_log.session_id, entry.step, entry.timestamp, entry.level.value, entry.category,
                 entry.message, json.dumps(entry.details), entry.confidence, entry.duration_ms, entry.tool_name,
                 json.dumps(entry.tool_input) if entry.tool_input else None,
                 json.dumps(entry.tool_output) if entry.tool_output else None,
                 entry.tool_status))

    def end_session(self, final_output):
        self.current_log.end_time = now()
        self.current_log.final_output = final_output
        with sqlite3.connect(self.db_path) as conn:
            conn.execute(
                "UPDATE work_logs SET end_time = ?, final_output = ?, entry_count = ? WHERE session_id = ?",
                (self.current_log.end_time, final_output, len(self.current_log.entries),
                 self.current_log.session_id))
        self.current_log = None


def main(path):
    manager = WorkLogManager(path)

    manager.start_session("direct-1739356265.123", "Check my X bookmarks")
    manager.log(LogLevel.INFO, "general", "Processing user message: Check my X bookmarks...")
    manager.log(LogLevel.DECISION, "routing", "Classified as medium tier → claude-sonnet",
                details={"tier": "medium", "model": "claude-sonnet", "confidence": 0.91}, confidence=0.91,
                duration_ms=12)
    manager.log(LogLevel.THINKING, "memory", "Retrieving relevant context from memory")
    manager.log(LogLevel.WARNING, "memory", "No relevant memory context found", duration_ms=4)
    manager.log_tool("bird", {"command": "bookmarks", "count": 50,
                              "auth": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib29rbWFya3MifQ.c2lnbmF0dXJlc2ln"},
                     {"count": 12, "categories": {"AI/ML": 5, "Productivity": 3},
                      "next_actions": ["summarize_top_categories"]}, "success", 1200)
    manager.log(LogLevel.UNCERTAINTY, "routing", "Low confidence classification (55%)", confidence=0.55)
    manager.log(LogLevel.ERROR, "tool_execution", "categorize failed: rate limited (api_key=sk-live-9f8e7d6c5b4a39281706f5e4)",
                details={"error": "rate limited", "tool": "categorize"}, duration_ms=300)
    manager.log(LogLevel.INFO, "general", "Response generated successfully", details={"response_length": 412})
    manager.end_session("📚 I found 12 bookmarks: 5 about AI/ML, 3 about productivity, 4 uncategorized.")

    manager.start_session("direct-1739356390.5", "What's the weather like?")
    manager.log(LogLevel.DECISION, "routing", "Classified as simple tier → haiku", confidence=0.97)
    manager.log_tool("weather_lookup", {"location": "auto-detect"}, {"temp": 72, "condition": "sunny"}, "success",
                     450)
    manager.end_session("It's 72°F and sunny!")

    # A session whose bot died: no end_time.
    manager.start_session("direct-1739356500.0", "Summarise my inbox")
    manager.log(LogLevel.THINKING, "memory", "Retrieving relevant context from memory")
    manager.log(LogLevel.CORRECTION, "routing", "Re-routed: the inbox is larger than the simple tier handles")


if __name__ == "__main__":
    main(sys.argv[1])
