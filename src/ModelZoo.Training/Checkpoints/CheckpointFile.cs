using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// Reads and writes the single-file checkpoint format:
/// <c>magic(8) | sections... | header JSON | header length (int64 LE) | SHA-256 of all previous bytes (32)</c>.
/// </summary>
internal static class CheckpointFile
{
    public static ReadOnlySpan<byte> Magic => "MZCKPT01"u8;
    private const int HashLength = 32;

    /// <summary>The section of the model EMA's state dict (same layout as "model").</summary>
    public const string EmaSection = "ema";
    private const int MaxHeaderLength = 16 << 20;

    /// <summary>Writes atomically: a temp file in the same folder, flushed and fsync'd, then renamed over <paramref name="path"/>.</summary>
    public static void Write(string path, CheckpointHeader header, nn.Module model, OptimizerHelper? optimizer, Tensor? rngState, IReadOnlyDictionary<string, Tensor>? ema = null)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                fs.Write(Magic);
                var sections = new List<CheckpointSection>();
                WriteSection(fs, "model", sections, s => WriteStateDict(s, model));
                if (optimizer is not null)
                    WriteSection(fs, "optimizer", sections, s =>
                    {
                        using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
                        // TorchSharp writes contiguous tensors only: channels-last state is saved as NCHW and put back.
                        bool channelsLast = OptimizerStateLayout.ToContiguous(optimizer) > 0;
                        try
                        {
                            optimizer.save_state_dict(w);
                        }
                        finally
                        {
                            if (channelsLast) OptimizerStateLayout.ToChannelsLast(optimizer);
                        }
                    });
                if (rngState is not null)
                    WriteSection(fs, "rng", sections, s => WriteTensor(s, rngState));
                if (ema is not null)
                    WriteSection(fs, EmaSection, sections, s => WriteStateDict(s, ema));
                byte[] json = JsonSerializer.SerializeToUtf8Bytes(header with { Sections = sections }, TrainingJson.Options);
                fs.Write(json);
                Span<byte> len = stackalloc byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(len, json.Length);
                fs.Write(len);
                fs.Flush();
                fs.Position = 0;
                byte[] hash = SHA256.HashData(fs);
                fs.Position = fs.Length;
                fs.Write(hash);
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Why a file with the wrong magic is not a checkpoint, naming what it looks like: a PyTorch <c>torch.save</c> file
    /// (a zip, or the legacy pickle) or safetensors weights are imported with <c>import-weights</c>, or run directly
    /// by name or file with <c>--weights</c> where a command takes it.
    /// </summary>
    internal static string NotACheckpoint(ReadOnlySpan<byte> head)
    {
        const string convert = "import it with `modelzoo import-weights --model NAME --weights FILE --output NAME.ckpt` " +
            "(or pass it as --weights to commands that take weights, e.g. `modelzoo predict --weights FILE`)";
        if (head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
            return $"is a zip file, as PyTorch's torch.save writes (.pth/.pt), not a ModelZoo checkpoint: {convert}";
        if (head.Length >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5)
            return $"is a Python pickle, as PyTorch's legacy torch.save writes, not a ModelZoo checkpoint: {convert}";
        if (head.Length >= 9 && head[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(head) is > 1 and < 100_000_000)
            return $"looks like safetensors weights, not a ModelZoo checkpoint: {convert}";
        return "not a ModelZoo checkpoint (bad magic): checkpoints are written by `modelzoo train` (checkpoints/last.ckpt, best.ckpt) " +
            "or `modelzoo import-weights`; a PyTorch or safetensors weights file is imported with `modelzoo import-weights`";
    }

    /// <summary>Validates the whole file (size, SHA-256, magic, header, section bounds) and returns the header. Touches no model.</summary>
    /// <exception cref="CheckpointException">Anything is wrong.</exception>
    public static CheckpointHeader ReadHeader(string path)
    {
        if (Directory.Exists(path))
            throw new CheckpointException(path, "is a folder; pass a checkpoint file (e.g. checkpoints/last.ckpt) or use --resume with a run folder");
        if (!File.Exists(path)) throw new CheckpointException(path, "file not found");
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            long length = fs.Length;
            if (length < Magic.Length + 8 + HashLength) throw new CheckpointException(path, $"truncated ({length} bytes)");
            Span<byte> head = stackalloc byte[9];
            fs.ReadExactly(head);
            if (!head[..8].SequenceEqual(Magic)) throw new CheckpointException(path, NotACheckpoint(head));

            fs.Position = 0;
            byte[] actual;
            using (var bounded = new ModelZoo.Data.IO.ReadOnlyWindowStream(fs, length - HashLength))
                actual = SHA256.HashData(bounded);
            byte[] stored = new byte[HashLength];
            fs.Position = length - HashLength;
            fs.ReadExactly(stored);
            if (!CryptographicOperations.FixedTimeEquals(actual, stored))
                throw new CheckpointException(path, "content hash mismatch: the file is truncated or altered");

            Span<byte> lenBytes = stackalloc byte[8];
            fs.Position = length - HashLength - 8;
            fs.ReadExactly(lenBytes);
            long headerLength = BinaryPrimitives.ReadInt64LittleEndian(lenBytes);
            long headerStart = length - HashLength - 8 - headerLength;
            if (headerLength <= 0 || headerLength > MaxHeaderLength || headerStart < Magic.Length)
                throw new CheckpointException(path, $"bad header length {headerLength}");
            byte[] json = new byte[headerLength];
            fs.Position = headerStart;
            fs.ReadExactly(json);
            CheckpointHeader header = JsonSerializer.Deserialize<CheckpointHeader>(json, TrainingJson.Options)
                ?? throw new CheckpointException(path, "empty header");
            if (header.Format != CheckpointHeader.FormatName) throw new CheckpointException(path, $"unknown format '{header.Format}'");
            if (header.Version > CheckpointHeader.CurrentVersion)
                throw new CheckpointException(path, $"format version {header.Version} is newer than this ModelZoo understands ({CheckpointHeader.CurrentVersion})");
            if (header.Sections is null || header.Sections.Any(s => s is null)) throw new CheckpointException(path, "header field 'sections' is missing or holds an empty entry");
            long expect = Magic.Length;
            foreach (var s in header.Sections)
            {
                if (s.Offset != expect || s.Length < 0) throw new CheckpointException(path, $"section '{s.Name}' is out of place");
                expect += s.Length;
            }
            if (expect != headerStart) throw new CheckpointException(path, "sections do not add up to the file size");
            if (header.Sections.All(s => s.Name != "model")) throw new CheckpointException(path, "no model weights");
            Validate(path, fs, header);
            return header;
        }
        catch (CheckpointException) { throw; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            throw new CheckpointException(path, e.Message, e);
        }
    }

    /// <summary>Reads the model weights into new CPU tensors (staged; no live model is touched).</summary>
    public static Dictionary<string, Tensor> ReadStateDict(string path, CheckpointHeader header, string sectionName = "model")
    {
        var section = header.Sections.FirstOrDefault(s => s.Name == sectionName)
            ?? throw new CheckpointException(path, sectionName == EmaSection ? "has no EMA weights (the run was trained without --ema)" : $"has no '{sectionName}' section");
        using var fs = OpenSection(path, section);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using var r = new BinaryReader(fs, Encoding.UTF8, leaveOpen: true);
            int count = r.ReadInt32();
            if (count < 0) throw new CheckpointException(path, "bad tensor count");
            for (int i = 0; i < count; i++)
            {
                string name = r.ReadString();
                result[name] = ReadTensor(r, path, section.Offset + section.Length);
            }
            if (fs.Position != section.Offset + section.Length) throw new CheckpointException(path, "model section has trailing bytes");
            return result;
        }
        catch (Exception e)
        {
            foreach (var t in result.Values) t.Dispose();
            if (e is CheckpointException) throw;
            throw new CheckpointException(path, $"cannot read the model weights: {e.Message}", e);
        }
    }

    /// <summary>Copies staged tensors into <paramref name="model"/> after checking every key, shape and dtype; on any mismatch nothing is changed.</summary>
    public static void LoadInto(string path, nn.Module model, Dictionary<string, Tensor> staged)
    {
        var live = model.state_dict();
        var missing = live.Keys.Where(k => !staged.ContainsKey(k)).ToList();
        var unexpected = staged.Keys.Where(k => !live.ContainsKey(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new CheckpointException(path, $"weights do not match the model (missing: {Preview(missing)}; unexpected: {Preview(unexpected)})");
        foreach (var (key, target) in live)
        {
            var source = staged[key];
            if (!source.shape.SequenceEqual(target.shape) || source.dtype != target.dtype)
                throw new CheckpointException(path, $"'{key}' is {source.dtype}[{string.Join(",", source.shape)}] in the checkpoint but {target.dtype}[{string.Join(",", target.shape)}] in the model");
        }
        using (no_grad())
        {
            foreach (var (key, target) in live)
                target.copy_(staged[key]);
        }
    }

    public static void LoadOptimizer(string path, CheckpointHeader header, OptimizerHelper optimizer)
    {
        var section = header.Sections.FirstOrDefault(s => s.Name == "optimizer")
            ?? throw new CheckpointException(path, "has no optimizer state to resume from");
        using var fs = OpenSection(path, section);
        using var r = new BinaryReader(fs, Encoding.UTF8, leaveOpen: true);
        try
        {
            optimizer.load_state_dict(r);
        }
        catch (Exception e)
        {
            // The first line only: a native error's message carries libtorch's stack trace after it.
            string first = e.Message.Split('\n', 2)[0].Trim();
            throw new CheckpointException(path, $"optimizer state does not match the optimizer ({first}); resume with the same --optimizer", e);
        }
    }

    /// <summary>The generator state, checked (size and mt19937 fields) so that <c>set_rng_state</c> cannot abort the process.</summary>
    public static Tensor? ReadRng(string path, CheckpointHeader header)
    {
        var section = header.Sections.FirstOrDefault(s => s.Name == "rng");
        if (section is null) return null;
        using var fs = OpenSection(path, section);
        using var r = new BinaryReader(fs, Encoding.UTF8, leaveOpen: true);
        byte[] bytes = ReadRngBytes(r, path, section);
        if (CheckpointValidation.RngProblem(bytes) is string problem)
            throw new CheckpointException(path, $"header field 'rng' {problem}");
        return tensor(bytes, dtype: ScalarType.Byte);
    }

    private static FileStream OpenSection(string path, CheckpointSection section)
    {
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        fs.Position = section.Offset;
        return fs;
    }

    private static void WriteSection(FileStream fs, string name, List<CheckpointSection> sections, Action<Stream> write)
    {
        long start = fs.Position;
        write(fs);
        fs.Flush();
        sections.Add(new CheckpointSection(name, start, fs.Position - start));
    }

    private static void WriteStateDict(Stream s, nn.Module model) => WriteStateDict(s, model.state_dict());

    private static void WriteStateDict(Stream s, IReadOnlyDictionary<string, Tensor> dict)
    {
        using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
        w.Write(dict.Count);
        foreach (var (name, tensor) in dict)
        {
            w.Write(name);
            w.Flush();
            WriteTensor(s, tensor);
        }
    }

    private static void WriteTensor(Stream s, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
        w.Write((int)cpu.dtype);
        w.Write((int)cpu.dim());
        foreach (long d in cpu.shape) w.Write(d);
        var bytes = cpu.bytes;
        w.Write((long)bytes.Length);
        w.Write(bytes);
    }

    private static Tensor ReadTensor(BinaryReader r, string path, long sectionEnd)
    {
        // Type, rank, shape and byte length are checked against each other before anything is allocated.
        var (dtype, shape, byteLength) = CheckpointValidation.ReadTensorHeader(r, path, sectionEnd);
        var t = empty(shape, dtype);
        try
        {
            var span = t.bytes;
            if (span.Length != byteLength) throw new CheckpointException(path, $"tensor byte length {byteLength} does not match its shape");
            r.BaseStream.ReadExactly(span);
            return t;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The header's fields against sane bounds and against the tensors in the file (<see cref="CheckpointValidation"/>):
    /// the model and EMA sections' tensor headers (no data read) and the generator state's bytes.
    /// </summary>
    private static void Validate(string path, FileStream fs, CheckpointHeader header)
    {
        var sections = header.Sections.Where(s => s.Name is not null).GroupBy(s => s.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var model = CheckpointValidation.ReadTensorHeaders(path, fs, sections["model"]);
        var ema = sections.TryGetValue(EmaSection, out var emaSection) ? CheckpointValidation.ReadTensorHeaders(path, fs, emaSection) : null;
        byte[]? rng = null;
        if (sections.TryGetValue("rng", out var rngSection))
        {
            fs.Position = rngSection.Offset;
            using var r = new BinaryReader(fs, Encoding.UTF8, leaveOpen: true);
            rng = ReadRngBytes(r, path, rngSection);
        }
        ModelCard? card = header.ModelName is { } name && Zoo.Names.Contains(name) ? Zoo.Card(name) : null;
        CheckpointValidation.Validate(path, new CheckpointValidation.Contents(header, model, ema, card, rng));
    }

    /// <summary>The generator state: a 1-D byte tensor filling its section.</summary>
    private static byte[] ReadRngBytes(BinaryReader r, string path, CheckpointSection section)
    {
        long end = section.Offset + section.Length;
        var (dtype, shape, bytes) = CheckpointValidation.ReadTensorHeader(r, path, end);
        if (dtype != ScalarType.Byte || shape.Length != 1)
            throw new CheckpointException(path, $"header field 'rng' is a {dtype}[{string.Join(",", shape)}] tensor; libtorch's generator state is a 1-D byte tensor");
        var data = new byte[bytes];
        r.BaseStream.ReadExactly(data);
        if (r.BaseStream.Position != end) throw new CheckpointException(path, "rng section has trailing bytes");
        return data;
    }

    private static string Preview(List<string> keys) =>
        keys.Count == 0 ? "none" : string.Join(", ", keys.Take(5)) + (keys.Count > 5 ? $" and {keys.Count - 5} more" : "");

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
