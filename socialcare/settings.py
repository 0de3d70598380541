"""Settings of `socialcare run` (the supervisor), read once from the environment."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Mapping, Optional

from core.paths import PROJECT_ROOT
from core.retention import RetentionSettings
from core.settings import RedisSettings, RedisTarget, SharedEnv, env_bounded, env_int


@dataclass(frozen=True)
class Settings:
    """Everything `socialcare run` needs. See .env.example for every variable."""

    redis: RedisSettings = field(default_factory=RedisSettings)
    rasa_port: int = 5005
    action_port: int = 5055
    rasa_consumers: int = 0  # consume-only Rasa processes beside a receive-only one
    rasa_consumer_port: int = 5015  # the first of them; the next ones count up
    rasa_consumer_nice: int = 5  # their CPU priority below the receiving Rasa (0-19)
    rasa_token: Optional[str] = field(default=None, repr=False)
    data_dir: Path = PROJECT_ROOT / "var"
    model_dir: Path = PROJECT_ROOT / "models"
    airline_db_path: Path = PROJECT_ROOT / "var" / "airline.db"
    log_level: str = "INFO"
    redis_server_bin: Optional[str] = None
    retention: RetentionSettings = field(default_factory=RetentionSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        """Read settings from `env` (the `socialcare` process's environment)."""
        shared = SharedEnv.from_env(env)
        return cls(
            redis=shared.redis,
            rasa_port=env_int(env, "RASA_PORT", 5005),
            action_port=env_int(env, "ACTION_SERVER_PORT", 5055),
            rasa_consumers=env_bounded(env, "RASA_CONSUMERS", 0, 0, 8),
            rasa_consumer_port=env_int(env, "RASA_CONSUMER_PORT", 5015),
            rasa_consumer_nice=env_bounded(env, "RASA_CONSUMER_NICE", 5, 0, 19),
            rasa_token=env.get("RASA_TOKEN") or None,
            data_dir=shared.data_dir,
            model_dir=Path(env.get("SOCIALCARE_MODEL_DIR") or PROJECT_ROOT / "models"),
            airline_db_path=Path(env.get("AIRLINE_DB_PATH") or shared.data_dir / "airline.db"),
            log_level=shared.log_level,
            redis_server_bin=shared.redis_server_bin,
            retention=RetentionSettings.from_env(env),
        )

    @property
    def redis_key_prefix(self) -> str:
        """REDIS_KEY_PREFIX (the prefix of every key we write)."""
        return self.redis.key_prefix

    def redis_target(self) -> RedisTarget:
        """The Redis to use (see `core.settings.RedisSettings`)."""
        return self.redis.target


def rasa_environment(settings: Settings, redis: RedisTarget) -> Dict[str, str]:
    """The variables endpoints.yml expands (`${REDIS_HOST}` and friends)."""
    return {
        "REDIS_HOST": redis.host,
        "REDIS_PORT": str(redis.port),
        "REDIS_DB": str(redis.db),
        "REDIS_PASSWORD": redis.password,
        "REDIS_KEY_PREFIX": settings.redis_key_prefix,
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{settings.action_port}/webhook",
        "AIRLINE_DB_PATH": str(settings.airline_db_path),
        "TRACKER_TTL_S": settings.retention.tracker_record_exp(),
    }
