WARNING: Scenario 'intranet_home' status: WARNING UNKNOWN: cannot open file  '/nonexistent/dir/out.txt': No such file or directory | 'intranet_home~Launch#scenario.metric.usage.milliseconds'=2500ms;;;;
exit 3
