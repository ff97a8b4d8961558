
exit 3
