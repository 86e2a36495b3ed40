#include <sqlite3.h>

/* sqlite3_config is variadic, which Swift cannot call: this wrapper turns off the memory
   statistics whose global mutex every SQLite allocation would otherwise take. */
static inline int mediabase_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
