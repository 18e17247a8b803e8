# Throwaway PostgreSQL 15 cluster for the storage experiment (issue #21). Run as root; the server runs as postgres.
export PGHOST=127.0.0.1 PGPORT=55432 PGUSER=postgres PGDATABASE=exp
PGBIN=/usr/lib/postgresql/15/bin
start_cluster() {
  mkdir -p /tmp/storage-pg && chown postgres:postgres /tmp/storage-pg
  runuser -u postgres -- $PGBIN/initdb -D /tmp/storage-pg -U postgres --auth=trust
  cat >> /tmp/storage-pg/postgresql.conf <<'CONF'
listen_addresses = '127.0.0.1'
port = 55432
unix_socket_directories = '/tmp'
shared_buffers = 1GB
work_mem = 64MB
maintenance_work_mem = 512MB
max_wal_size = 8GB
checkpoint_timeout = 30min
track_io_timing = on
CONF
  # fsync, full_page_writes, synchronous_commit: left at their defaults (on).
  runuser -u postgres -- $PGBIN/pg_ctl -D /tmp/storage-pg -l /tmp/storage-pg.log start
  createdb exp
}
stop_cluster() { runuser -u postgres -- $PGBIN/pg_ctl -D /tmp/storage-pg stop; rm -rf /tmp/storage-pg; }
