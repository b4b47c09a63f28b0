/*
 * Counts RTP packets for load bots, outside Node.js. Node spends several
 * microseconds of CPU on every UDP datagram it receives (a buffer, a call
 * into JavaScript, garbage collection), as much as the SFU spends forwarding
 * it, so a load generator in Node competes with the server it measures.
 * This program reads the bots' UDP sockets (inherited as file descriptors
 * 3, 4, ...) with recvmmsg, counts RTP packets, losses (sequence gaps) and
 * bytes per socket and SSRC from the clear-text RTP header, and passes every
 * other datagram (STUN, DTLS, RTCP) back to Node so the bots' WebRTC stacks
 * keep their connections alive. Built and driven by rtp-counter-process.ts.
 *
 * Usage: rtp-counter SOCKETS
 * stdin: each byte 'r' asks for a report; end of file ends the program.
 * stdout: frames of [type: 1 byte][length: 4 bytes little-endian][body]:
 *   'd' a datagram for Node: [socket: u16][port: u16][IPv4 address: 4 bytes][data]
 *   's' a report: records of [socket: u16][ssrc: u32][packets: u32][lost: u32][bytes: u32]
 * Integers are little-endian except the IPv4 address and port, which stay in
 * network order as they came.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FIRST_SOCKET_FD 3
#define BATCH 64
#define MAX_DATAGRAM 2048
#define STREAMS_PER_SOCKET 8
#define RECORD_BYTES 18
/*
 * After each round of reading, pause this long so the next round finds
 * several packets waiting: one wake-up per packet would cost more than the
 * counting. 2 ms of media is far less than a socket's receive buffer holds.
 */
#define PAUSE_NS 2000000

struct stream {
  uint32_t ssrc, packets, lost, bytes;
  int32_t last_sequence;
};

struct socket_counts {
  int streams;
  struct stream stream[STREAMS_PER_SOCKET];
};

static struct socket_counts *counts;
static int sockets;

static void write_all(const void *data, size_t length) {
  const uint8_t *at = data;
  while (length > 0) {
    ssize_t written = write(STDOUT_FILENO, at, length);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) exit(0); /* Node has gone: nothing left to report to. */
    at += written;
    length -= (size_t)written;
  }
}

static void put_u16(uint8_t *to, uint16_t value) { to[0] = value & 0xff; to[1] = value >> 8; }
static void put_u32(uint8_t *to, uint32_t value) { for (int i = 0; i < 4; i++) to[i] = (value >> (8 * i)) & 0xff; }

static void frame_header(char type, uint32_t length) {
  uint8_t header[5] = {(uint8_t)type};
  put_u32(header + 1, length);
  write_all(header, sizeof header);
}

static void pass_to_node(int socket, const struct sockaddr_in *from, const uint8_t *data, size_t length) {
  uint8_t head[8];
  put_u16(head, (uint16_t)socket);
  memcpy(head + 2, &from->sin_port, 2);
  memcpy(head + 4, &from->sin_addr.s_addr, 4);
  frame_header('d', (uint32_t)(sizeof head + length));
  write_all(head, sizeof head);
  write_all(data, length);
}

/* RFC 5761: RTP version 2 whose second byte is not an RTCP packet type (192-223). */
static int is_rtp(const uint8_t *data, size_t length) {
  return length >= 12 && (data[0] & 0xc0) == 0x80 && (data[1] < 192 || data[1] > 223);
}

static void count_rtp(int socket, const uint8_t *data, size_t length) {
  uint32_t ssrc = (uint32_t)data[8] << 24 | (uint32_t)data[9] << 16 | (uint32_t)data[10] << 8 | data[11];
  uint16_t sequence = (uint16_t)(data[2] << 8 | data[3]);
  struct socket_counts *on = &counts[socket];
  struct stream *stream = NULL;
  for (int i = 0; i < on->streams; i++)
    if (on->stream[i].ssrc == ssrc) stream = &on->stream[i];
  if (!stream) {
    if (on->streams == STREAMS_PER_SOCKET) return;
    stream = &on->stream[on->streams++];
    stream->ssrc = ssrc;
    stream->last_sequence = -1;
  }
  stream->packets++;
  stream->bytes += (uint32_t)length;
  if (stream->last_sequence < 0) {
    stream->last_sequence = sequence;
    return;
  }
  uint16_t gap = (uint16_t)(sequence - (uint16_t)stream->last_sequence);
  if (gap == 0 || gap >= 0x8000) return; /* a repeat or a late packet */
  stream->lost += gap - 1u;
  stream->last_sequence = sequence;
}

static void report(void) {
  uint32_t records = 0;
  for (int s = 0; s < sockets; s++) records += (uint32_t)counts[s].streams;
  frame_header('s', records * RECORD_BYTES);
  for (int s = 0; s < sockets; s++) {
    for (int i = 0; i < counts[s].streams; i++) {
      const struct stream *stream = &counts[s].stream[i];
      uint8_t record[RECORD_BYTES];
      put_u16(record, (uint16_t)s);
      put_u32(record + 2, stream->ssrc);
      put_u32(record + 6, stream->packets);
      put_u32(record + 10, stream->lost);
      put_u32(record + 14, stream->bytes);
      write_all(record, sizeof record);
    }
  }
}

static uint8_t buffers[BATCH][MAX_DATAGRAM];

static void drain(int socket) {
  struct mmsghdr messages[BATCH];
  struct iovec vectors[BATCH];
  struct sockaddr_in from[BATCH];
  for (;;) {
    for (int i = 0; i < BATCH; i++) {
      vectors[i] = (struct iovec){buffers[i], MAX_DATAGRAM};
      messages[i].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = sizeof from[i], .msg_iov = &vectors[i], .msg_iovlen = 1};
    }
    int received = recvmmsg(FIRST_SOCKET_FD + socket, messages, BATCH, MSG_DONTWAIT, NULL);
    if (received <= 0) return; /* EAGAIN: drained */
    for (int i = 0; i < received; i++) {
      size_t length = messages[i].msg_len;
      if (is_rtp(buffers[i], length)) count_rtp(socket, buffers[i], length);
      else pass_to_node(socket, &from[i], buffers[i], length);
    }
    if (received < BATCH) return;
  }
}

int main(int argc, char **argv) {
  if (argc != 2 || (sockets = atoi(argv[1])) <= 0) {
    fprintf(stderr, "usage: rtp-counter SOCKETS (the sockets are file descriptors 3, 4, ...)\n");
    return 2;
  }
  counts = calloc((size_t)sockets, sizeof *counts);
  int poll = epoll_create1(0);
  if (!counts || poll < 0) return perror("rtp-counter: setting up"), 1;
  struct epoll_event event = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
  if (epoll_ctl(poll, EPOLL_CTL_ADD, STDIN_FILENO, &event) < 0) return perror("rtp-counter: watching stdin"), 1;
  for (int s = 0; s < sockets; s++) {
    event = (struct epoll_event){.events = EPOLLIN, .data.u32 = (uint32_t)s};
    if (epoll_ctl(poll, EPOLL_CTL_ADD, FIRST_SOCKET_FD + s, &event) < 0) return perror("rtp-counter: watching a socket"), 1;
  }
  struct epoll_event ready[64];
  for (;;) {
    int n = epoll_wait(poll, ready, 64, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return perror("rtp-counter: epoll_wait"), 1;
    for (int i = 0; i < n; i++) {
      if (ready[i].data.u32 != UINT32_MAX) {
        drain((int)ready[i].data.u32);
        continue;
      }
      char commands[64];
      ssize_t got = read(STDIN_FILENO, commands, sizeof commands);
      if (got == 0) return 0;
      for (ssize_t c = 0; c < got; c++)
        if (commands[c] == 'r') report();
    }
    nanosleep(&(struct timespec){0, PAUSE_NS}, NULL);
  }
}
