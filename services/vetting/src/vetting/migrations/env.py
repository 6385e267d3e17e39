from shared.frontdoor.sessions import FRONT_DOOR_METADATA
from shared.migrations import run_env
from vetting.models import Base

run_env(Base.metadata, FRONT_DOOR_METADATA)
