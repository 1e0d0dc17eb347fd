using System.Buffers.Binary;
using System.Text;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// Checks every field of a checkpoint's header against sane bounds and against the tensors the file holds, before
/// anything is built from it. The SHA-256 at the end of a checkpoint is a content check, not a signature: whoever can
/// edit the header can recompute it, so an edited header is the input to defend against. Without these rules an
/// edited header reached native code (a replaced <c>rng</c> section aborted the process in <c>set_rng_state</c>;
/// <c>numClasses</c> 2e9 or a 2^40 dimension ended in native allocation errors) or wrong arithmetic (one class name
/// for ten classes, a negative epoch). Each rule is one entry of <see cref="Rules"/>: a field the header gains is one
/// more line there.
/// </summary>
internal static class CheckpointValidation
{
    public const int MaxClasses = 1_000_000;
    public const int MaxChannels = 64;
    public const int MaxImageSize = 16384;
    public const int MaxEpochs = 1_000_000;
    public const int MaxNameLength = 4096;

    /// <summary>The sections a checkpoint may hold.</summary>
    public static readonly IReadOnlySet<string> KnownSections = new HashSet<string>(StringComparer.Ordinal)
    {
        "model", "optimizer", "rng", CheckpointFile.EmaSection,
    };

    /// <summary>The type and shape of one stored tensor, read from its header without reading its data.</summary>
    public sealed record StoredTensor(ScalarType Type, long[] Shape)
    {
        public override string ToString() => $"{Type}[{string.Join(",", Shape)}]";
    }

    /// <summary>What the rules see: the header, the model section's tensors by name, and the zoo's card for the model (null when not in this build's zoo).</summary>
    public sealed record Contents(CheckpointHeader Header, IReadOnlyDictionary<string, StoredTensor> Model, IReadOnlyDictionary<string, StoredTensor>? Ema, ModelCard? Card, byte[]? Rng);

    /// <summary>(field, problem or null). Checked in order; the first problem is the error.</summary>
    public static readonly IReadOnlyList<(string Field, Func<Contents, string?> Problem)> Rules =
    [
        ("modelName", c => string.IsNullOrWhiteSpace(c.Header.ModelName) || c.Header.ModelName.Length > 256 ? "is empty or longer than 256 characters" : null),
        ("modelOptions", c => c.Header.ModelOptions is null ? "is missing" : null),
        ("modelOptions.numClasses", c => c.Header.ModelOptions.NumClasses is int n && n is < 1 or > MaxClasses ? $"is {n}, not 1 to {MaxClasses:N0}" : null),
        ("modelOptions.inChannels", c => c.Header.ModelOptions.InChannels is int n && n is < 1 or > MaxChannels ? $"is {n}, not 1 to {MaxChannels}" : null),
        ("modelOptions.dropout", c => c.Header.ModelOptions.Dropout is double d && !(d >= 0 && d < 1) ? $"is {d}, not in [0, 1)" : null),
        ("modelOptions.init", c => Enum.IsDefined(c.Header.ModelOptions.Init) ? null : $"is {(int)c.Header.ModelOptions.Init}, not a known scheme"),
        ("modelOptions.smallInput", c => Enum.IsDefined(c.Header.ModelOptions.SmallInput) ? null : $"is {(int)c.Header.ModelOptions.SmallInput}, not a known policy"),
        ("classNames", c => c.Header.ClassNames is not { Count: > 0 and <= MaxClasses } names ? $"must list 1 to {MaxClasses:N0} classes"
            : names.Any(n => n is null || n.Length > MaxNameLength) ? $"holds a missing name or one longer than {MaxNameLength} characters" : null),
        ("classNames", c => c.Header.ModelOptions.NumClasses is int n && n != c.Header.ClassNames.Count ? $"lists {c.Header.ClassNames.Count} names but modelOptions.numClasses is {n}" : null),
        ("classNames", c => AgainstWeights(c, c.Card?.ClassifierName, "classifier", dim: 0, c.Header.ClassNames.Count, $"lists {c.Header.ClassNames.Count} names")),
        ("channels", c => c.Header.Channels is < 1 or > MaxChannels ? $"is {c.Header.Channels}, not 1 to {MaxChannels}" : null),
        ("channels", c => AgainstWeights(c, c.Card?.FirstConvName, "first convolution", dim: 1, c.Header.Channels, $"is {c.Header.Channels}")),
        ("imageSize", c => c.Header.ImageSize is < 1 or > MaxImageSize ? $"is {c.Header.ImageSize}, not 1 to {MaxImageSize}" : null),
        ("normalization", c => c.Header.Normalization is not { Mean: { } mean, Std: { } std } ? "is missing its mean or std"
            : mean.Length != std.Length || mean.Length is < 1 or > MaxChannels ? $"has {mean.Length} means and {std.Length} standard deviations"
            : mean.Any(m => !float.IsFinite(m)) || std.Any(s => !(s > 0) || !float.IsFinite(s)) ? "has a non-finite mean or a standard deviation that is not positive and finite" : null),
        ("dataSpec", c => c.Header.DataSpec is null || c.Header.DataSpec.Length > MaxNameLength ? "is missing or too long" : null),
        ("epoch", c => c.Header.Epoch is < 0 or > MaxEpochs ? $"is {c.Header.Epoch}, not 0 to {MaxEpochs:N0}" : null),
        ("step", c => c.Header.Step < 0 ? $"is {c.Header.Step}, negative" : null),
        ("batchInEpoch", c => c.Header.BatchInEpoch < 0 ? $"is {c.Header.BatchInEpoch}, negative" : null),
        ("partialSamples", c => c.Header.PartialSamples < 0 || c.Header.PartialCorrect < 0 || c.Header.PartialCorrect > c.Header.PartialSamples
            ? $"partialCorrect {c.Header.PartialCorrect} of partialSamples {c.Header.PartialSamples} is impossible" : null),
        ("partialLossSum", c => !double.IsFinite(c.Header.PartialLossSum) || !double.IsFinite(c.Header.PartialSeconds) || c.Header.PartialSeconds < 0
            ? "partialLossSum or partialSeconds is not finite" : null),
        ("bestEpoch", c => c.Header.BestEpoch is int b && (b < 1 || b > c.Header.Epoch) ? $"is {b}, not 1 to the epoch ({c.Header.Epoch})" : null),
        ("bestScore", c => c.Header.BestScore is double s && !double.IsFinite(s) ? "is not finite" : null),
        ("bestValidationAccuracy", c => c.Header.BestValidationAccuracy is double a && !(a >= 0 && a <= 1) ? $"is {a}, not in [0, 1]" : null),
        ("epochsWithoutImprovement", c => c.Header.EpochsWithoutImprovement < 0 || c.Header.EpochsWithoutImprovement > c.Header.Epoch
            ? $"is {c.Header.EpochsWithoutImprovement}, not 0 to the epoch ({c.Header.Epoch})" : null),
        ("precisionState", c => c.Header.PrecisionState is { } p && p.Values.Any(v => !double.IsFinite(v)) ? "holds a value that is not finite" : null),
        ("training", c => TrainingProblem(c.Header.Training)),
        ("scheduler", c => c.Header.Scheduler is null || c.Header.Scheduler.Length > 256 || c.Header.Device is null || c.Header.Device.Length > 256 ? "scheduler or device is missing or too long" : null),
        ("sections", c => c.Header.Sections.Select(s => s.Name).FirstOrDefault(n => n is null || !KnownSections.Contains(n)) is { } unknown
            ? $"names an unknown section '{unknown}' (known: {string.Join(", ", KnownSections)})" : null),
        ("sections", c => c.Header.Sections.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1) is { } twice ? $"lists '{twice.Key}' twice" : null),
        ("ema", c => c.Ema is { } ema && !SameTensors(c.Model, ema) ? "EMA weights do not have the model's names and shapes" : null),
        ("rng", c => c.Rng is { } rng ? RngProblem(rng) : null),
    ];

    /// <summary>Applies every rule; the first problem is a <see cref="CheckpointException"/> naming the file and the field.</summary>
    public static void Validate(string path, Contents contents)
    {
        foreach (var (field, problem) in Rules)
        {
            string? found;
            try
            {
                found = problem(contents);
            }
            catch (Exception e) when (e is NullReferenceException or ArgumentException or InvalidOperationException)
            {
                found = $"cannot be checked ({e.GetType().Name})";
            }
            if (found is not null) throw new CheckpointException(path, $"header field '{field}' {found}; the header was edited or the file is not a ModelZoo checkpoint");
        }
    }

    /// <summary>
    /// For a model in this build's zoo: the weight <paramref name="layer"/>.weight must exist and have
    /// <paramref name="expected"/> along <paramref name="dim"/> (the classifier's rows are the classes, the first
    /// convolution's input channels the channels), so the model built from the header is the one the weights fit.
    /// </summary>
    private static string? AgainstWeights(Contents c, string? layer, string what, int dim, long expected, string claim)
    {
        if (layer is null) return null;
        string key = layer + ".weight";
        if (!c.Model.TryGetValue(key, out var w)) return $"{claim}, but the weights have no {what} '{key}' for model {c.Header.ModelName}";
        return w.Shape.Length > dim && w.Shape[dim] == expected ? null : $"{claim} but the {what} '{key}' in the weights is {w}";
    }

    private static string? TrainingProblem(TrainingOptions? training)
    {
        if (training is null) return null;
        try
        {
            training.EnsureValid();
            return null;
        }
        catch (ArgumentException e)
        {
            return $"is not valid: {e.Message}";
        }
    }

    private static bool SameTensors(IReadOnlyDictionary<string, StoredTensor> a, IReadOnlyDictionary<string, StoredTensor> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var t) && t.Type == kv.Value.Type && t.Shape.SequenceEqual(kv.Value.Shape));

    /// <summary>
    /// libtorch's CPU generator state (<c>at::CPUGeneratorImplState</c>, what <c>get_rng_state</c> returns): a byte
    /// tensor of a fixed size holding the mt19937 engine (<c>the_initial_seed</c> u64, <c>left</c> i32,
    /// <c>seeded</c> i32, <c>next</c> u64, 624 state words) and the normal-sample cache. <c>set_rng_state</c> checks
    /// the size and <c>left</c>/<c>seeded</c>/<c>next</c> with exceptions that TorchSharp's native layer does not catch,
    /// so the process aborts: they are checked here instead.
    /// </summary>
    internal static string? RngProblem(byte[] rng)
    {
        if (rng.Length != RngStateBytes.Value)
            return $"holds {rng.Length} bytes; libtorch's generator state is {RngStateBytes.Value}";
        int left = BinaryPrimitives.ReadInt32LittleEndian(rng.AsSpan(8));
        int seeded = BinaryPrimitives.ReadInt32LittleEndian(rng.AsSpan(12));
        ulong next = BinaryPrimitives.ReadUInt64LittleEndian(rng.AsSpan(16));
        if (seeded == 0 || left is < 1 or > 624 || next > 624)
            return $"is not a valid mt19937 state (left {left}, seeded {seeded}, next {next})";
        return null;
    }

    /// <summary>The size of this libtorch's generator state, from <c>get_rng_state</c> (5056 bytes in libtorch 2.x).</summary>
    internal static readonly Lazy<long> RngStateBytes = new(() =>
    {
        using var state = TorchSharp.torch.random.get_rng_state();
        return state.numel();
    });

    /// <summary>Reads the tensor headers of a state-dict section (names, types, shapes), skipping the data; each one's byte length checked against its shape.</summary>
    public static Dictionary<string, StoredTensor> ReadTensorHeaders(string path, Stream fs, CheckpointSection section)
    {
        fs.Position = section.Offset;
        long end = section.Offset + section.Length;
        using var r = new BinaryReader(fs, Encoding.UTF8, leaveOpen: true);
        int count = r.ReadInt32();
        if (count < 0) throw new CheckpointException(path, $"section '{section.Name}' has a bad tensor count");
        var result = new Dictionary<string, StoredTensor>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            if (fs.Position >= end) throw new CheckpointException(path, $"section '{section.Name}' holds fewer tensors than it says ({count})");
            string name = r.ReadString();
            var (type, shape, bytes) = ReadTensorHeader(r, path, end);
            if (!result.TryAdd(name, new StoredTensor(type, shape))) throw new CheckpointException(path, $"section '{section.Name}' holds '{name}' twice");
            fs.Position += bytes;
        }
        if (fs.Position != end) throw new CheckpointException(path, $"section '{section.Name}' has trailing bytes");
        return result;
    }

    /// <summary>
    /// One tensor's header (type, rank, shape, byte length), checked before anything is allocated: a known type, rank
    /// at most 16, no negative dimension, elements times element size equal to the byte length (no overflow), and
    /// the data inside the section.
    /// </summary>
    public static (ScalarType Type, long[] Shape, long Bytes) ReadTensorHeader(BinaryReader r, string path, long sectionEnd)
    {
        var dtype = (ScalarType)r.ReadInt32();
        long size = ElementSize(dtype);
        if (size == 0) throw new CheckpointException(path, $"unknown tensor type {(int)dtype}");
        int dims = r.ReadInt32();
        if (dims is < 0 or > 16) throw new CheckpointException(path, $"bad tensor rank {dims}");
        long[] shape = new long[dims];
        long elements = 1;
        for (int d = 0; d < dims; d++)
        {
            shape[d] = r.ReadInt64();
            if (shape[d] < 0) throw new CheckpointException(path, "negative tensor dimension");
            try
            {
                elements = checked(elements * shape[d]);
            }
            catch (OverflowException)
            {
                throw new CheckpointException(path, $"tensor shape [{string.Join(",", shape.Take(d + 1))}...] overflows");
            }
        }
        long byteLength = r.ReadInt64();
        long expected;
        try
        {
            expected = checked(elements * size);
        }
        catch (OverflowException)
        {
            throw new CheckpointException(path, $"tensor shape [{string.Join(",", shape)}] overflows");
        }
        if (byteLength != expected)
            throw new CheckpointException(path, $"tensor {dtype}[{string.Join(",", shape)}] needs {expected:N0} bytes but records {byteLength:N0}");
        if (byteLength < 0 || r.BaseStream.Position + byteLength > sectionEnd)
            throw new CheckpointException(path, "tensor data runs past its section");
        if (byteLength > int.MaxValue)
            throw new CheckpointException(path, $"tensor {dtype}[{string.Join(",", shape)}] is over 2 GiB");
        return (dtype, shape, byteLength);
    }

    /// <summary>Bytes per element of the types a checkpoint may hold; 0 for any other.</summary>
    public static long ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        _ => 0,
    };
}
