#!/usr/bin/env python3
"""Turns strace's hex dumps (-e write=FD -e read=FD) of sendmsg/recvmsg into 'send HEX' / 'recv HEX' lines."""
import re
import sys

direction = None
data = []
out = []

def flush():
    global data
    if direction and data:
        line = f"{direction} {''.join(data)}"
        # libnl peeks at each datagram (MSG_PEEK) before reading it: keep one copy.
        if not (direction == 'recv' and out and out[-1] == line):
            out.append(line)
    data = []

for line in sys.stdin:
    body = line.split(None, 1)[1] if line[:1].isdigit() and ' ' in line else line
    if re.match(r'\s*(sendmsg|recvmsg)\(', body):
        flush()
        direction = 'send' if 'sendmsg(' in body else 'recv'
        continue
    m = re.match(r'\s*\|\s*[0-9a-f]{5}\s+((?:[0-9a-f]{2}\s+){1,16})', body)
    if m and direction:
        data.extend(m.group(1).split())
        continue
    if re.match(r'\s*\* \d+ bytes in buffer', body):
        continue
flush()
print('\n'.join(out))
