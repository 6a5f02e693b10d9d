// Pike VM (Thompson NFA simulation) for patterns without backreferences.
//
// Counted repetitions are unrolled (`x{2,4}` -> x x (x (x)?)?, nested so that only O(1) threads are live per
// copy), so the program has no counters and a thread is just a program counter. All threads advance over
// the input in lock step; a per-position "visited" mark deduplicates them, so each input position costs at
// most one step per instruction: time O(n * m), memory O(m). Lookarounds become `look(id)` instructions whose
// sub-program is run from the current position (backwards for lookbehind) and the answer memoized per
// (lookaround, position). Only a Bool is produced, so neither captures nor thread priorities are tracked.

extension ECMARegex {

    enum PInst: Sendable {
        case char(UInt32)
        case set(Int)
        case split(Int, Int)
        case jump(Int)
        case lineStart
        case lineEnd
        case wordBoundary(negated: Bool)
        case look(Int)
        case match
    }

    struct PikeProgram: Sendable {
        var insts: [PInst]
        var backward: Bool
        var negated: Bool
    }

    /// Program 0 is the main pattern; the others are lookaround bodies.
    struct PikeProgramSet: Sendable {
        var programs: [PikeProgram]
        var sets: [CharSet]
        var anchoredStart: Bool

        static func compile(_ ast: Node, sets: [CharSet], anchoredStart: Bool, limit: Int) -> PikeProgramSet?
        {
            if unrolledSize(ast, limit: limit) > limit { return nil }
            var c = Compiler()
            var main: [PInst] = []
            c.programs.append(PikeProgram(insts: [], backward: false, negated: false))
            c.emit(ast, backward: false, into: &main)
            main.append(.match)
            c.programs[0].insts = main
            return PikeProgramSet(programs: c.programs, sets: sets, anchoredStart: anchoredStart)
        }

        /// Instruction count after unrolling (saturating; stops counting past `limit`).
        static func unrolledSize(_ node: Node, limit: Int) -> Int {
            switch node {
            case .empty: return 0
            case .char, .set, .lineStart, .lineEnd, .wordBoundary: return 1
            case .backreference: return Int.max
            case .sequence(let xs):
                var t = 0
                for x in xs {
                    t = satAdd(t, unrolledSize(x, limit: limit))
                    if t > limit { return t }
                }
                return t
            case .alternation(let xs):
                var t = 2 * xs.count
                for x in xs {
                    t = satAdd(t, unrolledSize(x, limit: limit))
                    if t > limit { return t }
                }
                return t
            case .capture(let x, _): return unrolledSize(x, limit: limit)
            case .look(let x, _, _, _): return satAdd(2, unrolledSize(x, limit: limit))
            case .quantified(let x, let min, let max, _, _, _):
                let s = unrolledSize(x, limit: limit)
                if s > limit { return s }
                let mandatory = satMul(min, s)
                let optional = max == ECMARegex.unbounded ? s + 2 : satMul(max - min, s + 1)
                return satAdd(mandatory, optional)
            }
        }

        struct Compiler {
            var programs: [PikeProgram] = []
            /// Lookaround id from the parser -> program index, so unrolled copies share one sub-program (and memo).
            var programForLookaround: [Int: Int] = [:]

            mutating func emit(_ node: Node, backward: Bool, into insts: inout [PInst]) {
                switch node {
                case .empty:
                    break
                case .char(let c):
                    insts.append(.char(c))
                case .set(let i):
                    insts.append(.set(i))
                case .sequence(let xs):
                    if backward {
                        for x in xs.reversed() { emit(x, backward: true, into: &insts) }
                    } else {
                        for x in xs { emit(x, backward: false, into: &insts) }
                    }
                case .alternation(let xs):
                    var jumps: [Int] = []
                    for (k, x) in xs.enumerated() {
                        if k < xs.count - 1 {
                            let split = insts.count
                            insts.append(.split(split + 1, -1))
                            emit(x, backward: backward, into: &insts)
                            jumps.append(insts.count)
                            insts.append(.jump(-1))
                            insts[split] = .split(split + 1, insts.count)
                        } else {
                            emit(x, backward: backward, into: &insts)
                        }
                    }
                    for j in jumps { insts[j] = .jump(insts.count) }
                case .capture(let x, _):
                    emit(x, backward: backward, into: &insts)
                case .quantified(let x, let min, let max, _, _, _):
                    for _ in 0..<min { emit(x, backward: backward, into: &insts) }
                    if max == ECMARegex.unbounded {
                        let head = insts.count
                        insts.append(.split(head + 1, -1))
                        emit(x, backward: backward, into: &insts)
                        insts.append(.jump(head))
                        insts[head] = .split(head + 1, insts.count)
                    } else if max > min {
                        var splits: [Int] = []
                        for _ in 0..<(max - min) {
                            splits.append(insts.count)
                            insts.append(.split(insts.count + 1, -1))
                            emit(x, backward: backward, into: &insts)
                        }
                        for s in splits { insts[s] = .split(s + 1, insts.count) }
                    }
                case .lineStart:
                    insts.append(.lineStart)
                case .lineEnd:
                    insts.append(.lineEnd)
                case .wordBoundary(let negated):
                    insts.append(.wordBoundary(negated: negated))
                case .look(let x, let behind, let negated, let lookID):
                    if let existing = programForLookaround[lookID] {
                        insts.append(.look(existing))
                        return
                    }
                    let id = programs.count
                    programForLookaround[lookID] = id
                    programs.append(PikeProgram(insts: [], backward: behind, negated: negated))
                    var body: [PInst] = []
                    emit(x, backward: behind, into: &body)
                    body.append(.match)
                    programs[id].insts = body
                    insts.append(.look(id))
                case .backreference:
                    preconditionFailure("backreferences are not compiled for the Pike VM")
                }
            }
        }
    }

    struct PikeRunner {
        /// Reusable per-program buffers (a lookaround sub-program never runs inside itself, so one per program).
        struct Scratch {
            var clist: [Int] = []
            var nlist: [Int] = []
            var work: [Int] = []
            var mark: [Int]
            var generation = 0
            init(size: Int) {
                mark = [Int](repeating: -1, count: size)
                clist.reserveCapacity(size)
                nlist.reserveCapacity(size)
            }
        }

        /// Upper bound on lookaround memo tables (one byte per lookaround and input position); past it,
        /// lookarounds are simply re-evaluated (which costs steps, so the budget still bounds the time).
        static let maxMemoBytes = 16 << 20

        let set: PikeProgramSet
        let input: UnsafeBufferPointer<UInt32>
        let budget: Int
        var steps = 0
        /// Per lookaround program: 0 unknown, 1 true, 2 false, per input position.
        var memo: [[UInt8]]
        var memoBytes = 0
        var scratch: [Scratch?]

        init(set: PikeProgramSet, input: UnsafeBufferPointer<UInt32>, budget: Int) {
            self.set = set
            self.input = input
            self.budget = budget
            self.memo = Array(repeating: [], count: set.programs.count)
            self.scratch = Array(repeating: nil, count: set.programs.count)
        }

        mutating func search() throws(Abort) -> Bool {
            try run(program: 0, start: 0, unanchored: !set.anchoredStart)
        }

        /// Runs one program from `start`. With `unanchored`, a new thread is also started at every later position.
        mutating func run(program: Int, start: Int, unanchored: Bool) throws(Abort) -> Bool {
            let prog = set.programs[program]
            let insts = prog.insts
            let backward = prog.backward
            let n = input.count
            var sc = scratch[program] ?? Scratch(size: insts.count)
            scratch[program] = nil
            defer { scratch[program] = sc }
            sc.clist.removeAll(keepingCapacity: true)
            var pos = start
            sc.generation += 1
            if try addThread(
                0, at: pos, insts: insts, into: &sc.clist, mark: &sc.mark, generation: sc.generation,
                work: &sc.work)
            {
                return true
            }
            while true {
                let c: UInt32
                let next: Int
                if backward {
                    if pos <= 0 { return false }
                    c = input[pos - 1]
                    next = pos - 1
                } else {
                    if pos >= n { return false }
                    c = input[pos]
                    next = pos + 1
                }
                if sc.clist.isEmpty && !unanchored { return false }
                sc.generation += 1
                sc.nlist.removeAll(keepingCapacity: true)
                for pc in sc.clist {
                    steps += 1
                    if steps > budget { throw .steps }
                    let ok: Bool
                    switch insts[pc] {
                    case .char(let x): ok = x == c
                    case .set(let i): ok = set.sets[i].contains(c)
                    default: ok = false
                    }
                    if ok,
                        try addThread(
                            pc + 1, at: next, insts: insts, into: &sc.nlist, mark: &sc.mark,
                            generation: sc.generation, work: &sc.work)
                    {
                        return true
                    }
                }
                if unanchored,
                    try addThread(
                        0, at: next, insts: insts, into: &sc.nlist, mark: &sc.mark, generation: sc.generation,
                        work: &sc.work)
                {
                    return true
                }
                swap(&sc.clist, &sc.nlist)
                pos = next
            }
        }

        /// Follows epsilon transitions from `pc0` at `pos` (iteratively), adding character-consuming
        /// instructions to `list`. Returns true if `match` is reachable.
        mutating func addThread(
            _ pc0: Int, at pos: Int, insts: [PInst], into list: inout [Int], mark: inout [Int],
            generation: Int, work: inout [Int]
        ) throws(Abort) -> Bool {
            let n = input.count
            work.removeAll(keepingCapacity: true)
            work.append(pc0)
            while let pc = work.popLast() {
                if mark[pc] == generation { continue }
                mark[pc] = generation
                steps += 1
                if steps > budget { throw .steps }
                switch insts[pc] {
                case .char, .set:
                    list.append(pc)
                case .jump(let t):
                    work.append(t)
                case .split(let a, let b):
                    work.append(b)
                    work.append(a)
                case .lineStart:
                    if pos == 0 { work.append(pc + 1) }
                case .lineEnd:
                    if pos == n { work.append(pc + 1) }
                case .wordBoundary(let negated):
                    let before = pos > 0 && ECMARegex.isWordChar(input[pos - 1])
                    let after = pos < n && ECMARegex.isWordChar(input[pos])
                    if (before != after) != negated { work.append(pc + 1) }
                case .look(let id):
                    if try lookaround(id, at: pos) { work.append(pc + 1) }
                case .match:
                    return true
                }
            }
            return false
        }

        mutating func lookaround(_ id: Int, at pos: Int) throws(Abort) -> Bool {
            let negated = set.programs[id].negated
            if memo[id].isEmpty {
                if memoBytes + input.count + 1 > Self.maxMemoBytes {
                    return try run(program: id, start: pos, unanchored: false) != negated
                }
                memo[id] = [UInt8](repeating: 0, count: input.count + 1)
                memoBytes += input.count + 1
            }
            let known = memo[id][pos]
            if known != 0 { return known == 1 }
            let result = try run(program: id, start: pos, unanchored: false) != negated
            memo[id][pos] = result ? 1 : 2
            return result
        }
    }
}
