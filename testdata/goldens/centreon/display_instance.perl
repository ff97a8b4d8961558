WARNING: Scenario '-/302 Intranet home' status: WARNING | '-/302 Intranet home~Launch#scenario.metric.usage.milliseconds'=2500ms;;;;
exit 1
