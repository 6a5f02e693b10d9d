import HandoffCLI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

exit(HandoffCommand.run(Array(CommandLine.arguments.dropFirst())))
