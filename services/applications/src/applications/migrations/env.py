from applications.models import Base
from shared.frontdoor.sessions import FRONT_DOOR_METADATA
from shared.migrations import run_env

run_env(Base.metadata, FRONT_DOOR_METADATA)
