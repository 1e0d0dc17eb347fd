using System.Buffers.Binary;
using System.Text;

namespace ModelZoo.Weights;

/// <summary>
/// A pickle reader that executes nothing: it understands the opcodes a PyTorch state dict uses (protocols 2 to 4)
/// and turns the few globals a state dict needs into data through <see cref="IPickleResolver"/>. Any other opcode
/// (<c>INST</c>, <c>OBJ</c>, <c>NEWOBJ</c>, extension codes, ...) or any global the resolver does not allow ends the
/// read with a <see cref="WeightsFileException"/> naming it. Memo, stack and string sizes are bounded.
/// </summary>
internal sealed class PickleReader
{
    private const int MaxMemo = 1_000_000;
    private const int MaxStack = 1_000_000;

    private readonly byte[] _data;
    private readonly string _path;
    private readonly IPickleResolver _resolver;
    private readonly Dictionary<uint, object?> _memo = new();
    private readonly List<object?> _stack = new();
    private readonly Stack<int> _marks = new();
    private int _pos;

    public PickleReader(byte[] data, string path, IPickleResolver resolver, int start = 0)
    {
        _data = data;
        _path = path;
        _resolver = resolver;
        _pos = start;
    }

    /// <summary>The offset after the last byte read (after <see cref="Read"/>: just past its STOP), where a following pickle starts.</summary>
    public int Position => _pos;

    /// <summary>A global reference (<c>module.name</c>) that the resolver allowed.</summary>
    public sealed record Global(string Module, string Name)
    {
        public override string ToString() => $"{Module}.{Name}";
    }

    /// <summary>A Python tuple.</summary>
    public sealed record Tuple(IReadOnlyList<object?> Items);

    /// <summary>A Python dict or OrderedDict, in insertion order.</summary>
    public sealed class Dict
    {
        public List<KeyValuePair<object, object?>> Items { get; } = new();
    }

    public object? Read()
    {
        while (true)
        {
            byte op = Byte();
            switch (op)
            {
                case 0x80: // PROTO
                    int proto = Byte();
                    if (proto is < 2 or > 5) Fail($"uses pickle protocol {proto}; only 2 to 5 are read");
                    break;
                case 0x95: // FRAME
                    Take(8);
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count != 1) Fail("pickle ends with a malformed stack");
                    return _stack[0];
                case (byte)'(': // MARK
                    _marks.Push(_stack.Count);
                    break;
                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                case (byte)'K': Push((long)Byte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case 0x8a: // LONG1
                {
                    int n = Byte();
                    if (n > 8) Fail($"holds an integer of {n} bytes");
                    var bytes = Take(n);
                    long v = 0;
                    for (int i = n - 1; i >= 0; i--) v = (v << 8) | bytes[i];
                    if (n is > 0 and < 8 && (bytes[n - 1] & 0x80) != 0) v -= 1L << (8 * n);
                    Push(v);
                    break;
                }
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT
                case (byte)'X': Push(Utf8(Length32())); break; // BINUNICODE
                case 0x8c: Push(Utf8(Byte())); break; // SHORT_BINUNICODE
                case 0x8d: Push(Utf8(Length64())); break; // BINUNICODE8
                case (byte)'T': Push(Encoding.Latin1.GetString(Take(Length32()))); break; // BINSTRING
                case (byte)'U': Push(Encoding.Latin1.GetString(Take(Byte()))); break; // SHORT_BINSTRING
                case (byte)'B': Push(Take(Length32()).ToArray()); break; // BINBYTES
                case (byte)'C': Push(Take(Byte()).ToArray()); break; // SHORT_BINBYTES
                case 0x8e: Push(Take(Length64()).ToArray()); break; // BINBYTES8
                case (byte)'}': Push(new Dict()); break; // EMPTY_DICT
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)')': Push(new Tuple([])); break; // EMPTY_TUPLE
                case (byte)'t': Push(new Tuple(PopMark())); break; // TUPLE
                case 0x85: Push(new Tuple([Pop()])); break; // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new Tuple([a, b])); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new Tuple([a, b, c])); break; } // TUPLE3
                case (byte)'q': Memo(Byte()); break; // BINPUT
                case (byte)'r': Memo(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))); break; // LONG_BINPUT
                case 0x94: Memo((uint)_memo.Count); break; // MEMOIZE
                case (byte)'h': Push(Recall(Byte())); break; // BINGET
                case (byte)'j': Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break; // LONG_BINGET
                case (byte)'c': // GLOBAL
                {
                    string module = Line();
                    string name = Line();
                    Push(Allow(module, name));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    if (Pop() is not string name || Pop() is not string module) { Fail("STACK_GLOBAL without two strings"); break; }
                    Push(Allow(module, name));
                    break;
                }
                case (byte)'Q': // BINPERSID
                    Push(_resolver.PersistentLoad(Pop(), this));
                    break;
                case (byte)'R': // REDUCE
                {
                    var args = Pop() as Tuple ?? throw Error("REDUCE arguments are not a tuple");
                    var callable = Pop() as Global ?? throw Error("REDUCE of something that is not an allowed global");
                    Push(_resolver.Call(callable, args.Items, this));
                    break;
                }
                case (byte)'b': // BUILD
                {
                    var state = Pop();
                    _resolver.Build(Peek(), state, this);
                    break;
                }
                case (byte)'s': // SETITEM
                {
                    var value = Pop();
                    var key = Pop();
                    AddItem(Peek(), key, value);
                    break;
                }
                case (byte)'u': // SETITEMS
                {
                    var items = PopMark();
                    if (items.Count % 2 != 0) Fail("SETITEMS with an odd number of items");
                    var target = Peek();
                    for (int i = 0; i < items.Count; i += 2) AddItem(target, items[i], items[i + 1]);
                    break;
                }
                case (byte)'a': // APPEND
                {
                    var value = Pop();
                    (Peek() as List<object?> ?? throw Error("APPEND to something that is not a list")).Add(value);
                    break;
                }
                case (byte)'e': // APPENDS
                {
                    var items = PopMark();
                    (Peek() as List<object?> ?? throw Error("APPENDS to something that is not a list")).AddRange(items);
                    break;
                }
                case (byte)'0': Pop(); break; // POP
                case (byte)'2': Push(Peek()); break; // DUP
                default:
                    Fail($"uses pickle opcode 0x{op:x2} ('{(op is >= 0x20 and < 0x7f ? (char)op : '?')}'), which a state dict does not need; it is refused");
                    break;
            }
        }
    }

    /// <summary>A typed error for this file.</summary>
    public WeightsFileException Error(string problem) => new(_path, problem);

    private void Fail(string problem) => throw Error(problem);

    private Global Allow(string module, string name)
    {
        var global = new Global(module, name);
        if (!_resolver.IsAllowed(global))
            Fail($"pickle asks for the global '{module}.{name}', which is not on the state-dict allow-list; nothing was executed");
        return global;
    }

    private void AddItem(object? target, object? key, object? value)
    {
        if (target is not Dict dict) throw Error("SETITEM on something that is not a dict");
        dict.Items.Add(new KeyValuePair<object, object?>(key ?? "None", value));
    }

    private void Push(object? value)
    {
        if (_stack.Count >= MaxStack) Fail("pickle stack grows past its limit");
        _stack.Add(value);
    }

    private object? Pop()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _stack.Count <= _marks.Peek())) Fail("pickle pops an empty stack");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object? Peek()
    {
        if (_stack.Count == 0) Fail("pickle reads an empty stack");
        return _stack[^1];
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) Fail("pickle closes a MARK it never opened");
        int start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private void Memo(uint index)
    {
        if (_memo.Count >= MaxMemo && !_memo.ContainsKey(index)) Fail($"pickle memo grows past {MaxMemo:N0} entries");
        _memo[index] = Peek();
    }

    private object? Recall(uint index) =>
        _memo.TryGetValue(index, out var v) ? v : throw Error($"pickle refers to memo entry {index}, which was never stored");

    private byte Byte() => Take(1)[0];

    private ReadOnlySpan<byte> Take(long n)
    {
        if (n < 0 || n > _data.Length - _pos) Fail($"pickle is truncated: {n:N0} bytes wanted at offset {_pos:N0} of {_data.Length:N0}");
        var span = _data.AsSpan(_pos, (int)n);
        _pos += (int)n;
        return span;
    }

    private int Length32()
    {
        uint n = BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
        if (n > _data.Length - _pos) Fail($"pickle string of {n:N0} bytes runs past the end");
        return (int)n;
    }

    private long Length64()
    {
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
        if (n > (ulong)(_data.Length - _pos)) Fail($"pickle string of {n:N0} bytes runs past the end");
        return (long)n;
    }

    private string Utf8(long n) => Encoding.UTF8.GetString(Take(n));

    private string Line()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0 || end - _pos > 256) Fail("pickle GLOBAL name is not a short line");
        string s = Encoding.ASCII.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }
}
