/*
 * The database commands (engineer "db"): knit report, export, serve and
 * db.  Each is `int cmd_NAME(int argc, char **argv)' with argv[0] the
 * command name, and a help text for `knit help NAME'.
 */
#ifndef _KNIT_TOOLS_DB_CMDS_H_
#define _KNIT_TOOLS_DB_CMDS_H_

int	cmd_report(int, char **);
int	cmd_export(int, char **);
int	cmd_serve(int, char **);
int	cmd_db(int, char **);
extern const char cmd_report_help[];
extern const char cmd_export_help[];
extern const char cmd_serve_help[];
extern const char cmd_db_help[];

#endif /* !_KNIT_TOOLS_DB_CMDS_H_ */
