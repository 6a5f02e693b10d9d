// Backtracking matcher: byte code plus an iterative VM with an explicit backtrack stack.
//
// The stack holds four kinds of frames:
//   * choice points (resume at pc/pos),
//   * undo records (restore a capture slot or loop register when backtracking past the write),
//   * lookaround barriers (mark where a lookaround body started; lookarounds are atomic in ECMA-262),
//   * compact "repeat" frames for a quantified single character/class (one frame instead of one per char).
// Nothing recurses at match time, so deep inputs cannot overflow the thread stack. Every executed instruction,
// popped frame and compared character costs one step; exceeding the budget throws. Frames are only pushed by
// steps, so the stack never holds more frames than steps taken (and is additionally capped).
//
// ECMA-262 specifics implemented here:
//   * captures inside a quantified atom are reset at the start of each iteration (RepeatMatcher step 4);
//   * an iteration beyond the minimum that matches the empty string fails (RepeatMatcher "min = 0 and
//     y's endIndex = x's endIndex");
//   * lookbehind bodies are matched right-to-left (sequence order reversed, characters consumed backwards,
//     captures and backreferences evaluated backwards);
//   * positive lookarounds keep their captures but discard their internal choice points; negative
//     lookarounds undo everything;
//   * a backreference to a group that has not participated matches the empty string.

extension ECMARegex {

    enum BInst: Sendable {
        case char(UInt32)
        case charBack(UInt32)
        case set(Int)
        case setBack(Int)
        /// Continue at the first target; on failure resume at the second.
        case split(Int, Int)
        case jump(Int)
        /// Store the position into a capture slot (undoable).
        case save(Int)
        case lineStart
        case lineEnd
        case wordBoundary(negated: Bool)
        case backreference(group: Int, backward: Bool)
        /// Start of a lookaround body; `end` is the instruction after the matching `lookEnd`.
        case lookStart(negated: Bool, end: Int)
        case lookEnd
        /// Set a loop counter register to 0 (undoable).
        case resetCounter(Int)
        /// Decide whether to run another iteration of a general loop.
        case loopHead(counter: Int, min: Int, max: Int, greedy: Bool, exit: Int)
        /// Start of one iteration: remember the position (for the empty check) and clear inner captures.
        case enterIteration(positionRegister: Int, firstSlot: Int, endSlot: Int)
        /// End of one iteration: empty check, counter increment, jump back to the head.
        case loopTail(counter: Int, positionRegister: Int, min: Int, max: Int, head: Int)
        /// Quantified single character class, matched without per-character frames.
        case repeatSet(set: Int, min: Int, max: Int, greedy: Bool, backward: Bool)
        case match
    }

    struct Backtracker: Sendable {
        var insts: [BInst] = []
        var sets: [CharSet]
        var slotCount = 0
        var anchoredStart = false

        // MARK: compilation

        static func compile(
            _ ast: Node, sets: [CharSet], captureCount: Int, needCaptures: Bool, anchoredStart: Bool
        ) -> Backtracker {
            var c = Compiler(sets: sets, needCaptures: needCaptures, nextRegister: 2 * (captureCount + 1))
            c.emit(ast, backward: false)
            c.insts.append(.match)
            var b = Backtracker(sets: c.sets)
            b.insts = c.insts
            b.slotCount = c.nextRegister
            b.anchoredStart = anchoredStart
            return b
        }

        struct Compiler {
            var insts: [BInst] = []
            var sets: [CharSet]
            let needCaptures: Bool
            var nextRegister: Int
            var charSetIndex: [UInt32: Int] = [:]

            init(sets: [CharSet], needCaptures: Bool, nextRegister: Int) {
                self.sets = sets
                self.needCaptures = needCaptures
                self.nextRegister = nextRegister
            }

            mutating func setIndex(forChar c: UInt32) -> Int {
                if let i = charSetIndex[c] { return i }
                sets.append(CharSet(ranges: [c, c]))
                charSetIndex[c] = sets.count - 1
                return sets.count - 1
            }

            // The emitters recurse once per AST level (depth is bounded by `maxNestingDepth`). Each case lives in
            // its own small function so that the recursive frames stay small even in debug builds.
            mutating func emit(_ node: Node, backward: Bool) {
                switch node {
                case .empty:
                    break
                case .char(let c):
                    insts.append(backward ? .charBack(c) : .char(c))
                case .set(let i):
                    insts.append(backward ? .setBack(i) : .set(i))
                case .sequence(let xs):
                    emitSequence(xs, backward: backward)
                case .alternation(let xs):
                    emitAlternation(xs, backward: backward)
                case .capture(let x, let index):
                    emitCapture(x, index: index, backward: backward)
                case .quantified(let x, let min, let max, let greedy, let firstCapture, let captureCount):
                    emitQuantified(
                        x, min: min, max: max, greedy: greedy, firstCapture: firstCapture,
                        captureCount: captureCount, backward: backward)
                case .lineStart:
                    insts.append(.lineStart)
                case .lineEnd:
                    insts.append(.lineEnd)
                case .wordBoundary(let negated):
                    insts.append(.wordBoundary(negated: negated))
                case .look(let x, let behind, let negated, _):
                    emitLook(x, behind: behind, negated: negated)
                case .backreference(let group):
                    insts.append(.backreference(group: group, backward: backward))
                }
            }

            @inline(never)
            mutating func emitSequence(_ xs: [Node], backward: Bool) {
                if backward {
                    var k = xs.count - 1
                    while k >= 0 {
                        emit(xs[k], backward: true)
                        k -= 1
                    }
                } else {
                    for x in xs { emit(x, backward: false) }
                }
            }

            @inline(never)
            mutating func emitAlternation(_ xs: [Node], backward: Bool) {
                var jumps: [Int] = []
                for k in 0..<xs.count {
                    if k < xs.count - 1 {
                        let split = insts.count
                        insts.append(.split(split + 1, -1))
                        emit(xs[k], backward: backward)
                        jumps.append(insts.count)
                        insts.append(.jump(-1))
                        insts[split] = .split(split + 1, insts.count)
                    } else {
                        emit(xs[k], backward: backward)
                    }
                }
                for j in jumps { insts[j] = .jump(insts.count) }
            }

            @inline(never)
            mutating func emitCapture(_ x: Node, index: Int, backward: Bool) {
                if needCaptures { insts.append(.save(backward ? 2 * index + 1 : 2 * index)) }
                emit(x, backward: backward)
                if needCaptures { insts.append(.save(backward ? 2 * index : 2 * index + 1)) }
            }

            @inline(never)
            mutating func emitLook(_ x: Node, behind: Bool, negated: Bool) {
                let start = insts.count
                insts.append(.lookStart(negated: negated, end: -1))
                emit(x, backward: behind)
                insts.append(.lookEnd)
                insts[start] = .lookStart(negated: negated, end: insts.count)
            }

            /// Strips capture groups when captures are not observable (no backreferences).
            func unwrapped(_ node: Node) -> Node {
                if !needCaptures, case .capture(let x, _) = node { return unwrapped(x) }
                return node
            }

            @inline(never)
            mutating func emitQuantified(
                _ x: Node, min: Int, max: Int, greedy: Bool, firstCapture: Int,
                captureCount: Int, backward: Bool
            ) {
                let atom = unwrapped(x)
                if let single = singleCharacterSet(atom) {
                    insts.append(
                        .repeatSet(set: single, min: min, max: max, greedy: greedy, backward: backward))
                    return
                }
                let hasCaptures = needCaptures && captureCount > 0
                let canBeEmpty = ECMARegex.minLength(atom) == 0
                if min == 0 && max == 1 && !canBeEmpty && !hasCaptures {
                    // Plain optional: split without loop bookkeeping.
                    let split = insts.count
                    insts.append(.split(-1, -1))
                    emit(atom, backward: backward)
                    insts[split] = greedy ? .split(split + 1, insts.count) : .split(insts.count, split + 1)
                    return
                }
                let head = emitLoopHead(
                    min: min, max: max, greedy: greedy, canBeEmpty: canBeEmpty, hasCaptures: hasCaptures,
                    firstCapture: firstCapture, captureCount: captureCount)
                emit(atom, backward: backward)
                emitLoopTail(head: head)
            }

            mutating func singleCharacterSet(_ atom: Node) -> Int? {
                switch atom {
                case .char(let c): return setIndex(forChar: c)
                case .set(let i): return i
                default: return nil
                }
            }

            /// Emits `resetCounter; head: loopHead; enterIteration` and returns the head's index.
            mutating func emitLoopHead(
                min: Int, max: Int, greedy: Bool, canBeEmpty: Bool, hasCaptures: Bool,
                firstCapture: Int, captureCount: Int
            ) -> Int {
                let counter = nextRegister
                nextRegister += 1
                var positionRegister = -1
                if canBeEmpty {
                    positionRegister = nextRegister
                    nextRegister += 1
                }
                insts.append(.resetCounter(counter))
                let head = insts.count
                insts.append(.loopHead(counter: counter, min: min, max: max, greedy: greedy, exit: -1))
                let firstSlot = hasCaptures ? 2 * firstCapture : 0
                let endSlot = hasCaptures ? 2 * (firstCapture + captureCount) : 0
                insts.append(
                    .enterIteration(
                        positionRegister: positionRegister, firstSlot: firstSlot, endSlot: endSlot))
                return head
            }

            /// Emits `loopTail` for the loop whose `loopHead` is at `head` and patches the head's exit.
            mutating func emitLoopTail(head: Int) {
                guard case .loopHead(let counter, let min, let max, let greedy, _) = insts[head],
                    case .enterIteration(let positionRegister, _, _) = insts[head + 1]
                else { preconditionFailure() }
                insts.append(
                    .loopTail(
                        counter: counter, positionRegister: positionRegister, min: min, max: max, head: head))
                insts[head] = .loopHead(
                    counter: counter, min: min, max: max, greedy: greedy, exit: insts.count)
            }
        }

        // MARK: matching

        struct Frame {
            var kind: Int
            var a: Int
            var b: Int
            var c: Int
        }

        static let kChoice = 0
        static let kUndo = 1
        static let kBarrier = 2
        static let kGreedy = 3
        static let kLazy = 4

        /// Unanchored search: tries each start position (only 0 when anchored at start).
        func search(_ input: UnsafeBufferPointer<UInt32>, budget: Int, steps: inout Int) throws(Abort) -> Bool
        {
            let n = input.count
            let lastStart = anchoredStart ? 0 : n
            var slots = [Int](repeating: -1, count: slotCount)
            var stack: [Frame] = []
            stack.reserveCapacity(64)
            var barriers: [Int] = []
            let kChoice = Self.kChoice
            let kUndo = Self.kUndo
            let kBarrier = Self.kBarrier
            let kGreedy = Self.kGreedy
            let kLazy = Self.kLazy
            let maxFrames = ECMARegex.maxBacktrackFrames

            for start in 0...lastStart {
                steps += 1
                if steps > budget { throw .steps }
                var pc = 0
                var pos = start
                run: while true {
                    steps += 1
                    if steps > budget { throw .steps }
                    var failed = false
                    switch insts[pc] {
                    case .char(let c):
                        if pos < n && input[pos] == c {
                            pos += 1
                            pc += 1
                        } else {
                            failed = true
                        }
                    case .charBack(let c):
                        if pos > 0 && input[pos - 1] == c {
                            pos -= 1
                            pc += 1
                        } else {
                            failed = true
                        }
                    case .set(let i):
                        if pos < n && sets[i].contains(input[pos]) {
                            pos += 1
                            pc += 1
                        } else {
                            failed = true
                        }
                    case .setBack(let i):
                        if pos > 0 && sets[i].contains(input[pos - 1]) {
                            pos -= 1
                            pc += 1
                        } else {
                            failed = true
                        }
                    case .split(let first, let second):
                        stack.append(Frame(kind: kChoice, a: second, b: pos, c: 0))
                        pc = first
                    case .jump(let target):
                        pc = target
                    case .save(let slot):
                        stack.append(Frame(kind: kUndo, a: slot, b: slots[slot], c: 0))
                        slots[slot] = pos
                        pc += 1
                    case .lineStart:
                        if pos == 0 { pc += 1 } else { failed = true }
                    case .lineEnd:
                        if pos == n { pc += 1 } else { failed = true }
                    case .wordBoundary(let negated):
                        let before = pos > 0 && ECMARegex.isWordChar(input[pos - 1])
                        let after = pos < n && ECMARegex.isWordChar(input[pos])
                        if (before != after) != negated { pc += 1 } else { failed = true }
                    case .backreference(let group, let backward):
                        let s = slots[2 * group]
                        let e = slots[2 * group + 1]
                        if s < 0 || e < 0 {
                            pc += 1
                        } else {
                            let len = e - s
                            steps += len
                            if steps > budget { throw .steps }
                            let from = backward ? pos - len : pos
                            if from < 0 || from + len > n {
                                failed = true
                            } else {
                                var k = 0
                                while k < len && input[s + k] == input[from + k] { k += 1 }
                                if k == len {
                                    pos = backward ? from : from + len
                                    pc += 1
                                } else {
                                    failed = true
                                }
                            }
                        }
                    case .lookStart:
                        stack.append(Frame(kind: kBarrier, a: pc, b: pos, c: 0))
                        barriers.append(stack.count - 1)
                        pc += 1
                    case .lookEnd:
                        let barrierIndex = barriers.removeLast()
                        let barrier = stack[barrierIndex]
                        guard case .lookStart(let negated, let end) = insts[barrier.a] else {
                            fatalError("corrupt lookaround")
                        }
                        steps += stack.count - barrierIndex
                        if steps > budget { throw .steps }
                        if negated {
                            // The body matched, so the negative lookaround fails: undo everything it did.
                            while stack.count > barrierIndex + 1 {
                                let f = stack.removeLast()
                                if f.kind == kUndo { slots[f.a] = f.b }
                            }
                            stack.removeLast()
                            failed = true
                        } else {
                            // Atomic: drop choice points made inside the body, keep undo records for its captures.
                            var w = barrierIndex
                            for r in (barrierIndex + 1)..<stack.count where stack[r].kind == kUndo {
                                stack[w] = stack[r]
                                w += 1
                            }
                            stack.removeLast(stack.count - w)
                            pos = barrier.b
                            pc = end
                        }
                    case .resetCounter(let r):
                        if slots[r] != 0 {
                            stack.append(Frame(kind: kUndo, a: r, b: slots[r], c: 0))
                            slots[r] = 0
                        }
                        pc += 1
                    case .loopHead(let counter, let min, let max, let greedy, let exit):
                        let k = slots[counter]
                        if k < min {
                            pc += 1
                        } else if max != ECMARegex.unbounded && k >= max {
                            pc = exit
                        } else if greedy {
                            stack.append(Frame(kind: kChoice, a: exit, b: pos, c: 0))
                            pc += 1
                        } else {
                            stack.append(Frame(kind: kChoice, a: pc + 1, b: pos, c: 0))
                            pc = exit
                        }
                    case .enterIteration(let positionRegister, let firstSlot, let endSlot):
                        if positionRegister >= 0 && slots[positionRegister] != pos {
                            steps += 1
                            stack.append(
                                Frame(kind: kUndo, a: positionRegister, b: slots[positionRegister], c: 0))
                            slots[positionRegister] = pos
                        }
                        var slot = firstSlot
                        while slot < endSlot {
                            if slots[slot] != -1 {
                                steps += 1
                                stack.append(Frame(kind: kUndo, a: slot, b: slots[slot], c: 0))
                                slots[slot] = -1
                            }
                            slot += 1
                        }
                        pc += 1
                    case .loopTail(let counter, let positionRegister, let min, let max, let head):
                        let k = slots[counter]
                        if positionRegister >= 0 && k >= min && slots[positionRegister] == pos {
                            failed = true  // empty iteration beyond the minimum
                        } else {
                            let next = max == ECMARegex.unbounded ? Swift.min(k + 1, min) : k + 1
                            if next != k {
                                stack.append(Frame(kind: kUndo, a: counter, b: k, c: 0))
                                slots[counter] = next
                            }
                            pc = head
                        }
                    case .repeatSet(let si, let min, let max, let greedy, let backward):
                        // A greedy repeat takes as many as it may and gives them back one by one;
                        // a lazy one takes the fewest and takes more one by one.
                        let limit = greedy ? max : min
                        var count = 0
                        var p = pos
                        if backward {
                            while count < limit && p > 0 && sets[si].contains(input[p - 1]) {
                                p -= 1
                                count += 1
                            }
                        } else {
                            while count < limit && p < n && sets[si].contains(input[p]) {
                                p += 1
                                count += 1
                            }
                        }
                        steps += count
                        if steps > budget { throw .steps }
                        if count < min {
                            failed = true
                        } else {
                            if greedy && count > min {
                                stack.append(
                                    Frame(
                                        kind: kGreedy, a: pc, b: backward ? p + 1 : p - 1,
                                        c: backward ? pos - min : pos + min))
                            } else if !greedy && max > min {
                                stack.append(Frame(kind: kLazy, a: pc, b: p, c: max - min))
                            }
                            pos = p
                            pc += 1
                        }
                    case .match:
                        return true
                    }

                    if stack.count > maxFrames { throw .memory }
                    if !failed { continue run }

                    // Backtrack: pop frames until one resumes execution.
                    while true {
                        guard let f = stack.popLast() else { break run }
                        steps += 1
                        if steps > budget { throw .steps }
                        switch f.kind {
                        case kUndo:
                            slots[f.a] = f.b
                        case kChoice:
                            pc = f.a
                            pos = f.b
                            continue run
                        case kBarrier:
                            // The lookaround body failed.
                            barriers.removeLast()
                            if case .lookStart(let negated, let end) = insts[f.a], negated {
                                pos = f.b
                                pc = end
                                continue run
                            }
                        case kGreedy:
                            guard case .repeatSet(_, _, _, _, let backward) = insts[f.a] else {
                                fatalError("corrupt frame")
                            }
                            if f.b != f.c {
                                stack.append(
                                    Frame(kind: kGreedy, a: f.a, b: backward ? f.b + 1 : f.b - 1, c: f.c))
                            }
                            pos = f.b
                            pc = f.a + 1
                            continue run
                        default:  // kLazy
                            guard case .repeatSet(let si, _, _, _, let backward) = insts[f.a] else {
                                fatalError("corrupt frame")
                            }
                            let p = f.b
                            let ok =
                                backward
                                ? (p > 0 && sets[si].contains(input[p - 1]))
                                : (p < n && sets[si].contains(input[p]))
                            if ok {
                                let np = backward ? p - 1 : p + 1
                                if f.c > 1 { stack.append(Frame(kind: kLazy, a: f.a, b: np, c: f.c - 1)) }
                                pos = np
                                pc = f.a + 1
                                continue run
                            }
                        }
                    }
                }
                // All frames were consumed: slots are back to their initial values.
            }
            return false
        }
    }

    /// Minimum number of characters a node can consume (saturating). Plain loops (no closures) keep the
    /// recursive frames small.
    static func minLength(_ node: Node) -> Int {
        switch node {
        case .empty, .lineStart, .lineEnd, .wordBoundary, .look, .backreference: return 0
        case .char, .set: return 1
        case .sequence(let xs):
            var total = 0
            for x in xs { total = satAdd(total, minLength(x)) }
            return total
        case .alternation(let xs):
            var best = Int.max
            for x in xs { best = Swift.min(best, minLength(x)) }
            return best
        case .capture(let x, _): return minLength(x)
        case .quantified(let x, let min, _, _, _, _): return satMul(min, minLength(x))
        }
    }

    static func satAdd(_ a: Int, _ b: Int) -> Int {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? Int.max : r
    }

    static func satMul(_ a: Int, _ b: Int) -> Int {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? Int.max : r
    }
}
