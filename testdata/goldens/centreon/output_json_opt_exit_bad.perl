{"plugin":{"mode":"","outputs":[{"exit":"UNKNOWN","type":1,"msg":"UNKNOWN: Unknown value 'bad' for --opt-exit."}],"perfdatas":[],"name":"apps::monitoring::mip::restapi::plugin","exit":"unknown"}}
exit 3
