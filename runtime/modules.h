/* The module map: which ELF object is mapped where, with its build id, so
 * the analyzer can symbolize pcs after the process is gone. */
#ifndef CC_MODULES_H
#define CC_MODULES_H

/* Writes a record for every loaded module (a new trace has none yet). */
void cc_modules_write_all(void);
/* Writes records for modules loaded since the last call. Cheap when nothing
 * was loaded. */
void cc_modules_refresh(void);

#endif
