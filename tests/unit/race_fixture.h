#ifndef _RACE_FIXTURE_H_
#define _RACE_FIXTURE_H_
#include <stddef.h>
extern int fx_data, fx_flag;
extern char fx_bytes[8], fx_buf[256], fx_src[256];
void	fx_write_data(int);
int	fx_read_data(void);
void	fx_inner_write(void);
void	fx_outer_write(void);
void	fx_publish_release(int);
int	fx_consume_acquire(void);
void	fx_publish_relaxed(int);
int	fx_consume_relaxed(void);
void	fx_write_byte(int, char);
void	fx_copy(size_t);
void	fx_clear(size_t);
void	fx_inc(void);
#endif
