import HandoffPostgres
import HandoffUI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// `handoff ui` runs this executable, kept apart from `handoff` so that the HTTP server and what it links are
// loaded only by the UI, not by every short-lived command a bot runs.
HandoffPostgres.register()
exit(await HandoffUIMain.run(Array(CommandLine.arguments.dropFirst())))
