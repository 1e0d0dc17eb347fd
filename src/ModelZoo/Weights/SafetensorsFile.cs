using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Weights;

/// <summary>
/// Reads and writes the <a href="https://huggingface.co/docs/safetensors">safetensors</a> format: an 8-byte
/// little-endian header length N, N bytes of JSON (<c>{"name": {"dtype", "shape", "data_offsets": [begin, end]},
/// "__metadata__": {...}}</c>), then one flat data buffer. The reader follows the format's rules exactly and checks
/// everything before it allocates a tensor: header length at most 100 MB (and inside the file), a JSON object with
/// no duplicate keys, known dtypes, non-negative shapes whose byte size does not overflow and equals the entry's
/// span, spans that tile the buffer from 0 to its end with no gap, overlap or trailing byte. Nothing in a
/// safetensors file is executed; it is data only.
/// </summary>
public static class SafetensorsFile
{
    private const string MetadataKey = "__metadata__";

    /// <summary>Reads and validates the header of <paramref name="path"/> without reading tensor data.</summary>
    /// <exception cref="WeightsFileException">The file is missing, unreadable or breaks a rule of the format.</exception>
    public static SafetensorsHeader ReadHeader(string path, WeightsLimits? limits = null)
    {
        using var stream = Open(path);
        return ReadHeader(stream, path, limits ?? WeightsLimits.Default);
    }

    /// <summary>
    /// Reads every tensor of <paramref name="path"/> (on the CPU, in its stored dtype), keyed by name in file order.
    /// The caller owns the tensors and disposes them.
    /// </summary>
    /// <exception cref="WeightsFileException">The file is missing, unreadable or breaks a rule of the format.</exception>
    public static Dictionary<string, Tensor> Read(string path, WeightsLimits? limits = null)
    {
        EnsureLittleEndian(path);
        using var stream = Open(path);
        var header = ReadHeader(stream, path, limits ?? WeightsLimits.Default);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in header.Entries)
            {
                var tensor = torch.empty(entry.Shape.ToArray(), entry.Type);
                result.Add(entry.Name, tensor);
                var span = tensor.bytes;
                if (span.Length != entry.Length)
                    throw new WeightsFileException(path, $"tensor '{entry.Name}' needs {span.Length} bytes, its entry spans {entry.Length}");
                stream.Position = header.DataOffset + entry.Begin;
                try
                {
                    stream.ReadExactly(span);
                }
                catch (EndOfStreamException e)
                {
                    throw new WeightsFileException(path, $"tensor '{entry.Name}' ends past the end of the file", e);
                }
            }
            return result;
        }
        catch (Exception e) when (e is IOException and not EndOfStreamException)
        {
            foreach (var t in result.Values) t.Dispose();
            throw new WeightsFileException(path, $"read error: {e.Message}", e);
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device; copied to the CPU, contiguous) and optional
    /// <paramref name="metadata"/> to <paramref name="path"/>, atomically: a temporary file beside it is written in
    /// full, flushed and then renamed over the target, so a crash never leaves a half-written file.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty or repeated, or a tensor type has no safetensors dtype.</exception>
    /// <exception cref="WeightsFileException">The file cannot be written.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(tensors);
        EnsureLittleEndian(path);
        using var scope = NewDisposeScope();
        var items = new List<(string Name, Tensor Data)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name) || name == MetadataKey) throw new ArgumentException($"'{name}' is not a valid tensor name");
            if (!names.Add(name)) throw new ArgumentException($"tensor name '{name}' appears twice");
            items.Add((name, tensor.detach().cpu().contiguous()));
        }

        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, data) in items)
            {
                long length = data.bytes.Length;
                w.WriteStartObject(name);
                w.WriteString("dtype", SafetensorsDType.NameOf(data.dtype));
                w.WriteStartArray("shape");
                foreach (long d in data.shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += length;
            }
            w.WriteEndObject();
        }
        // Pad the header with spaces to a multiple of 8 so the data buffer is aligned, as the reference writer does.
        int padding = (int)((8 - json.Length % 8) % 8);
        for (int i = 0; i < padding; i++) json.WriteByte((byte)' ');

        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> lengthBytes = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)json.Length);
                fs.Write(lengthBytes);
                json.Position = 0;
                json.CopyTo(fs);
                foreach (var (_, data) in items) fs.Write(data.bytes);
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new WeightsFileException(path, $"cannot be written: {e.Message}", e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static FileStream Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WeightsFileException(path, $"cannot be opened: {e.Message}", e);
        }
    }

    private static SafetensorsHeader ReadHeader(FileStream stream, string path, WeightsLimits limits)
    {
        long fileLength = stream.Length;
        if (fileLength < 8) throw new WeightsFileException(path, $"is {fileLength} bytes long, shorter than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (declared > (ulong)limits.MaxHeaderBytes)
            throw new WeightsFileException(path, $"header claims {declared:N0} bytes, more than the {limits.MaxHeaderBytes:N0}-byte limit");
        long headerLength = (long)declared;
        if (headerLength < 2) throw new WeightsFileException(path, $"header of {headerLength} bytes cannot hold a JSON object");
        if (8 + headerLength > fileLength)
            throw new WeightsFileException(path, $"header claims {headerLength:N0} bytes but the file has only {fileLength - 8:N0} after the length");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        if (headerBytes[0] != (byte)'{') throw new WeightsFileException(path, "header does not start with '{'");

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(headerBytes, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new WeightsFileException(path, $"header is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new WeightsFileException(path, "header is not a JSON object");
            var entries = new List<SafetensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            long dataLength = fileLength - 8 - headerLength;
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name)) throw new WeightsFileException(path, $"key '{property.Name}' appears twice in the header");
                if (property.Name == MetadataKey)
                {
                    ReadMetadata(property.Value, metadata, path);
                    continue;
                }
                if (entries.Count >= limits.MaxTensors)
                    throw new WeightsFileException(path, $"holds more than {limits.MaxTensors:N0} tensors");
                entries.Add(ReadEntry(property.Name, property.Value, path, limits));
            }

            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            long expected = 0;
            foreach (var e in entries)
            {
                if (e.Begin < expected)
                    throw new WeightsFileException(path, $"tensor '{e.Name}' [{e.Begin}, {e.End}) overlaps the tensor before it (which ends at {expected})");
                if (e.Begin > expected)
                    throw new WeightsFileException(path, $"bytes [{expected}, {e.Begin}) before tensor '{e.Name}' belong to no tensor");
                expected = e.End;
            }
            if (expected > limits.MaxTotalBytes)
                throw new WeightsFileException(path, $"tensor data is {expected:N0} bytes, more than the {limits.MaxTotalBytes:N0}-byte limit");
            if (expected > dataLength)
                throw new WeightsFileException(path, $"tensor data needs {expected:N0} bytes but the file holds {dataLength:N0} after the header");
            if (expected < dataLength)
                throw new WeightsFileException(path, $"{dataLength - expected:N0} trailing bytes after the last tensor");
            return new SafetensorsHeader(entries, metadata, 8 + headerLength);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string path)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new WeightsFileException(path, $"'{MetadataKey}' is not an object of strings");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new WeightsFileException(path, $"'{MetadataKey}' entry '{item.Name}' is not a string");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw new WeightsFileException(path, $"'{MetadataKey}' key '{item.Name}' appears twice");
        }
    }

    private static SafetensorsEntry ReadEntry(string name, JsonElement value, string path, WeightsLimits limits)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new WeightsFileException(path, $"entry '{name}' is not an object");
        string? dtype = null;
        long[]? shape = null;
        long[]? offsets = null;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when dtype is null && field.Value.ValueKind == JsonValueKind.String:
                    dtype = field.Value.GetString();
                    break;
                case "shape" when shape is null:
                    shape = Integers(field.Value, name, "shape", path, maxCount: limits.MaxRank);
                    break;
                case "data_offsets" when offsets is null:
                    offsets = Integers(field.Value, name, "data_offsets", path, maxCount: 2);
                    break;
                default:
                    throw new WeightsFileException(path, $"entry '{name}' has an unexpected or repeated field '{field.Name}'");
            }
        }
        if (dtype is null || shape is null || offsets is null)
            throw new WeightsFileException(path, $"entry '{name}' needs dtype, shape and data_offsets");
        if (!SafetensorsDType.TryParse(dtype, out var type, out int size))
            throw new WeightsFileException(path, $"entry '{name}' has unknown dtype '{dtype}' (supported: {SafetensorsDType.Known})");
        if (offsets.Length != 2) throw new WeightsFileException(path, $"entry '{name}' needs two data_offsets, got {offsets.Length}");
        long bytes;
        try
        {
            long elements = 1;
            foreach (long d in shape) elements = checked(elements * d);
            bytes = checked(elements * size);
        }
        catch (OverflowException)
        {
            throw new WeightsFileException(path, $"entry '{name}' has shape [{string.Join(", ", shape)}], whose size overflows");
        }
        if (offsets[1] < offsets[0]) throw new WeightsFileException(path, $"entry '{name}' ends ({offsets[1]}) before it begins ({offsets[0]})");
        if (offsets[1] - offsets[0] != bytes)
            throw new WeightsFileException(path, $"entry '{name}' spans {offsets[1] - offsets[0]:N0} bytes but {dtype} [{string.Join(", ", shape)}] needs {bytes:N0}");
        return new SafetensorsEntry(name, dtype, type, shape, offsets[0], offsets[1]);
    }

    private static long[] Integers(JsonElement value, string name, string field, string path, int maxCount)
    {
        if (value.ValueKind != JsonValueKind.Array) throw new WeightsFileException(path, $"entry '{name}' field '{field}' is not an array");
        int count = value.GetArrayLength();
        if (count > maxCount) throw new WeightsFileException(path, $"entry '{name}' field '{field}' has {count} values, at most {maxCount} allowed");
        var result = new long[count];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v) || v < 0)
                throw new WeightsFileException(path, $"entry '{name}' field '{field}' holds {item.GetRawText()}, not a non-negative integer");
            result[i++] = v;
        }
        return result;
    }

    private static void EnsureLittleEndian(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new WeightsFileException(path, "safetensors I/O needs a little-endian machine");
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
