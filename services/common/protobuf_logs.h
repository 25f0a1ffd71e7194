// Routes protobuf's own log lines into tokkit's log. A request carrying
// invalid UTF-8 in a string field makes protobuf log an error for every such
// request on stderr, so any client could flood the log; here each becomes a
// counted debug event (`request_invalid_utf8`), and anything else protobuf
// says goes through the rate-limited logger.
#ifndef TOKKIT_SERVICES_COMMON_PROTOBUF_LOGS_H_
#define TOKKIT_SERVICES_COMMON_PROTOBUF_LOGS_H_

namespace tokkit {

// Idempotent; StartServer calls it.
void RouteProtobufLogs();

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMON_PROTOBUF_LOGS_H_
