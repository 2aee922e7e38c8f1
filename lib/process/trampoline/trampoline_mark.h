/* argv[0] of the trampoline when the runtime runs it: what tells it apart
 * from the container running it on its own. */
#define TRAMPOLINE_MARK "ocirt-trampoline"
