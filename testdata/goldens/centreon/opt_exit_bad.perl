UNKNOWN: Unknown value 'bad' for --opt-exit. 
exit 3
