/* Read an iCalendar file with libical and print what it holds, one item a line:
 *   CAL <property name> <value as libical gives it, hex>
 *   EVENT <uid hex> <summary hex> <dtstart YYYYMMDD> <dtend YYYYMMDD>
 * Exit 2 when the file does not parse. Built by tests/libical_support.py. */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(const char *text) {
    if (text == NULL) { printf("-"); return; }
    if (*text == '\0') { printf("-"); return; }
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) printf("%02x", *c);
}

static const char *text_of(icalproperty *prop) {
    icalvalue *value = icalproperty_get_value(prop);
    if (value == NULL) return NULL;
    switch (icalvalue_isa(value)) {
    case ICAL_TEXT_VALUE: return icalvalue_get_text(value);
    case ICAL_X_VALUE: return icalvalue_get_x(value);
    default: return icalvalue_as_ical_string(value);
    }
}

static void date(icaltimetype t) { printf("%04d%02d%02d", t.year, t.month, t.day); }

int main(int argc, char **argv) {
    if (argc != 2) return 64;
    FILE *file = fopen(argv[1], "rb");
    if (file == NULL) { perror(argv[1]); return 66; }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    if (fread(buf, 1, (size_t)size, file) != (size_t)size) return 74;
    buf[size] = '\0';
    fclose(file);
    icalcomponent *root = icalparser_parse_string(buf);
    if (root == NULL || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) return 2;
    for (icalproperty *p = icalcomponent_get_first_property(root, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(root, ICAL_ANY_PROPERTY)) {
        printf("CAL %s ", icalproperty_get_property_name(p));
        hex(text_of(p));
        printf("\n");
    }
    for (icalcomponent *e = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); e;
         e = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
        printf("EVENT ");
        hex(icalcomponent_get_uid(e));
        printf(" ");
        hex(icalcomponent_get_summary(e));
        printf(" ");
        date(icalcomponent_get_dtstart(e));
        printf(" ");
        date(icalcomponent_get_dtend(e));
        printf("\n");
    }
    icalcomponent_free(root);
    free(buf);
    return 0;
}
