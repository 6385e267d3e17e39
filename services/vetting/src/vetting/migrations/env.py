from shared.migrations import run_env
from vetting.models import Base

run_env(Base.metadata)
