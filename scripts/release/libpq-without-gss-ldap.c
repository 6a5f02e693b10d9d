/*
 * Debian's libpq is built with GSSAPI and LDAP, whose libraries ship no static archives. The static
 * `handoff` links libpq.a with these stand-ins instead: every GSSAPI call fails (so libpq finds no Kerberos
 * credentials and never tries GSS encryption or authentication), and every LDAP call fails (so an
 * ldap:// service lookup in pg_service.conf reports an error). Password, SCRAM, certificate and TLS
 * connections are unaffected. The dynamically linked builds (`swift build`) use the system's libpq, with
 * both.
 */
#include <stddef.h>
#include <string.h>

typedef unsigned int OM_uint32;
typedef struct {
    size_t length;
    void *value;
} gss_buffer_desc;

/* GSS_S_FAILURE: a routine error, with no minor status. */
#define FAILED (13u << 16)

static OM_uint32 failed(OM_uint32 *minor) {
    if (minor) *minor = 0;
    return FAILED;
}

void *GSS_C_NT_HOSTBASED_SERVICE = NULL;

OM_uint32 gss_acquire_cred(OM_uint32 *minor, void *name, OM_uint32 time, void *mechs, int usage, void **cred,
                           void **actual, OM_uint32 *time_rec) {
    if (cred) *cred = NULL;
    return failed(minor);
}

OM_uint32 gss_import_name(OM_uint32 *minor, gss_buffer_desc *input, void *type, void **name) {
    if (name) *name = NULL;
    return failed(minor);
}

OM_uint32 gss_init_sec_context(OM_uint32 *minor, void *cred, void **context, void *target, void *mech,
                               OM_uint32 flags, OM_uint32 time, void *bindings, gss_buffer_desc *input,
                               void **actual_mech, gss_buffer_desc *output, OM_uint32 *ret_flags,
                               OM_uint32 *time_rec) {
    if (output) {
        output->length = 0;
        output->value = NULL;
    }
    return failed(minor);
}

OM_uint32 gss_wrap(OM_uint32 *minor, void *context, int conf, OM_uint32 qop, gss_buffer_desc *input,
                   int *conf_state, gss_buffer_desc *output) {
    return failed(minor);
}

OM_uint32 gss_unwrap(OM_uint32 *minor, void *context, gss_buffer_desc *input, gss_buffer_desc *output,
                     int *conf_state, OM_uint32 *qop) {
    return failed(minor);
}

OM_uint32 gss_wrap_size_limit(OM_uint32 *minor, void *context, int conf, OM_uint32 qop, OM_uint32 size,
                              OM_uint32 *max) {
    if (max) *max = 0;
    return failed(minor);
}

/* libpq prints what this returns, then frees it, until the message context is 0. */
OM_uint32 gss_display_status(OM_uint32 *minor, OM_uint32 status, int type, void *mech, OM_uint32 *context,
                             gss_buffer_desc *message) {
    static char text[] = "GSSAPI is not available in this build of handoff";
    if (minor) *minor = 0;
    if (context) *context = 0;
    if (message) {
        message->length = strlen(text);
        message->value = text;
    }
    return 0;
}

OM_uint32 gss_release_buffer(OM_uint32 *minor, gss_buffer_desc *buffer) {
    if (minor) *minor = 0;
    if (buffer) {
        buffer->length = 0;
        buffer->value = NULL;
    }
    return 0;
}

OM_uint32 gss_delete_sec_context(OM_uint32 *minor, void **context, gss_buffer_desc *output) {
    if (minor) *minor = 0;
    if (context) *context = NULL;
    return 0;
}

OM_uint32 gss_release_cred(OM_uint32 *minor, void **cred) {
    if (minor) *minor = 0;
    if (cred) *cred = NULL;
    return 0;
}

OM_uint32 gss_release_name(OM_uint32 *minor, void **name) {
    if (minor) *minor = 0;
    if (name) *name = NULL;
    return 0;
}

/* LDAP: the first call fails, so libpq stops there with an error naming the lookup. */
void *ldap_init(const char *host, int port) { return NULL; }
char *ldap_err2string(int error) { return "LDAP is not available in this build of handoff"; }
int ldap_set_option(void *ld, int option, const void *value) { return -1; }
int ldap_simple_bind(void *ld, const char *who, const char *password) { return -1; }
int ldap_result(void *ld, int id, int all, void *timeout, void **result) { return -1; }
int ldap_search_st(void *ld, const char *base, int scope, const char *filter, char **attributes, int only,
                   void *timeout, void **result) {
    if (result) *result = NULL;
    return -1;
}
int ldap_count_entries(void *ld, void *chain) { return -1; }
void *ldap_first_entry(void *ld, void *chain) { return NULL; }
void **ldap_get_values_len(void *ld, void *entry, const char *attribute) { return NULL; }
void ldap_value_free_len(void **values) {}
int ldap_msgfree(void *message) { return 0; }
int ldap_unbind(void *ld) { return 0; }
