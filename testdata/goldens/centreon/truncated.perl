UNKNOWN: Cannot decode response (add --debug option to display returned content) 
exit 3
