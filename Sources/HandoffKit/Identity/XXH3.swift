internal import CXXHash

extension ArtifactID {
    /// The id of an artifact whose canonical bytes are `bytes`: XXH3-128 over exactly those bytes.
    ///
    /// The digest prints as `xxhsum -H2` prints it: the high 64 bits, then the low 64 bits.
    public init(canonicalBytes bytes: UnsafeRawBufferPointer) {
        let hash = XXH3_128bits(bytes.baseAddress, bytes.count)
        self.init(high: hash.high64, low: hash.low64)
    }

    /// The id of an artifact whose canonical bytes are `bytes`.
    public init(canonicalBytes bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { ArtifactID(canonicalBytes: $0) }
    }
}
