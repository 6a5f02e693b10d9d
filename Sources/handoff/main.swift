import HandoffCLI
import HandoffPostgres

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// A reader that goes away (`handoff ls | head`) makes writes fail with EPIPE instead of killing the process,
// so a command can still undo what its lost output announced: a claim gives its handoff back.
signal(SIGPIPE, SIG_IGN)
HandoffPostgres.register()
exit(HandoffCommand.run(Array(CommandLine.arguments.dropFirst())))
