"""Whether `socialcare run` starts the agent console, where, and with what environment.

Pure (no I/O). ``CONSOLE=1`` (default) starts it, ``CONSOLE=0`` does not;
``CONSOLE_HOST``/``CONSOLE_PORT`` say where it listens. The console gets the Redis URL
of the stack (the embedded server included), the data dir (its session key lives there
unless CONSOLE_SECRET_KEY is set) and Rasa's URL and token (the relay writes agent turns
into the tracker and resumes the conversation through Rasa's HTTP API).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping

from core.settings import SettingsError, bind_host

DEFAULT_PORT = 5080


@dataclass(frozen=True)
class ConsolePlan:
    """``enabled``: start ``python -m console`` on ``host``:``port``."""

    enabled: bool
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "ConsolePlan":
        """Decide from ``CONSOLE``, ``CONSOLE_HOST`` and ``CONSOLE_PORT`` of `env`."""
        mode = (env.get("CONSOLE") or "1").strip().lower()
        if mode not in ("0", "1", "off", "on", "false", "true"):
            raise SettingsError("CONSOLE must be 1 or 0")
        raw_port = (env.get("CONSOLE_PORT") or str(DEFAULT_PORT)).strip()
        if not raw_port.isdigit():
            raise SettingsError("CONSOLE_PORT must be a port number")
        return cls(mode in ("1", "on", "true"), (env.get("CONSOLE_HOST") or bind_host(env)).strip(), int(raw_port))

    @classmethod
    def on(cls, port: int, host: str = "127.0.0.1") -> "ConsolePlan":
        """An enabled plan (tests pass a free port)."""
        return cls(True, host, port)

    @classmethod
    def off(cls) -> "ConsolePlan":
        """No console."""
        return cls(False)

    @property
    def url(self) -> str:
        """Where a browser reaches the console."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def health_url(self) -> str:
        """200 once the console answers and reaches Redis."""
        return f"{self.url}/health"

    def argv(self) -> List[str]:
        """Command line of the console process."""
        return [sys.executable, "-m", "console"]

    def environment(self, redis_url: str, data_dir: Path, rasa_port: int, rasa_token: str) -> Dict[str, str]:
        """Variables for the console process only (contains secrets: never log it)."""
        return {
            "REDIS_URL": redis_url,
            "SOCIALCARE_DATA_DIR": str(data_dir),
            "CONSOLE_HOST": self.host,
            "CONSOLE_PORT": str(self.port),
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "RASA_TOKEN": rasa_token,
        }
