#pragma once
/* "KILL", "SIGKILL", "kill", "9" → 9; 0 or -1 when unknown. */
int signal_parse(const char *s);
