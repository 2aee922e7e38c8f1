#pragma once
/* "KILL", "SIGKILL", "kill", "9" → 9; "0" → 0 (a liveness check); -1 when unknown. */
int signal_parse(const char *s);
