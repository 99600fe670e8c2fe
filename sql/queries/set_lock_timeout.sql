-- Bound how long this transaction's statements wait for a lock (migrate: never queue BI readers behind DDL).
SELECT set_config('lock_timeout', :timeout, true)
