using System.Buffers.Binary;
using System.IO.Compression;

namespace ModelZoo.Data.Idx;

/// <summary>
/// A strict reader for the IDX format of MNIST-like data sets. Files may be raw or gzip-compressed
/// (detected by content: the gzip magic 1f 8b). Every header field is checked, with checked arithmetic,
/// against the file length (raw) or a bound on what the compressed size can expand to (gzip) before the
/// payload is allocated; decompression stops one byte past the declared size, so a gzip bomb costs at most that.
/// Each rejection is an <see cref="InvalidIdxFileException"/> naming the file and the problem.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an unsigned-byte, 3-dimensional IDX file (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an unsigned-byte, 1-dimensional IDX file (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    // Deflate cannot expand by more than about 1032:1; anything declaring more cannot be honest.
    private const long MaxDeflateRatio = 1100;

    /// <summary>Reads an image file (magic 0x00000803).</summary>
    /// <exception cref="InvalidIdxFileException">The file is malformed.</exception>
    /// <exception cref="ModelZooDataException">The file cannot be opened.</exception>
    public static IdxImages ReadImages(string path, IdxReadLimits? limits = null)
    {
        using var stream = OpenFile(path);
        return ReadImages(stream, path, limits);
    }

    /// <summary>Reads an image file from a seekable stream; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="InvalidIdxFileException">The content is malformed.</exception>
    public static IdxImages ReadImages(Stream stream, string name, IdxReadLimits? limits = null)
    {
        limits ??= IdxReadLimits.Default;
        using var source = Open(stream, name, out bool gzip, out long storedLength);
        Span<byte> header = stackalloc byte[16];
        ReadHeader(source, header[..4], name);
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != ImagesMagic)
            throw new InvalidIdxFileException(name, $"wrong magic number 0x{magic:x8}, expected 0x{ImagesMagic:x8} (images)" +
                (magic == LabelsMagic ? "; this is a labels file" : ""));
        ReadHeader(source, header[4..], name, 4);
        long count = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        long rows = BinaryPrimitives.ReadUInt32BigEndian(header[8..]);
        long cols = BinaryPrimitives.ReadUInt32BigEndian(header[12..]);
        if (count == 0) throw new InvalidIdxFileException(name, "declares 0 images");
        if (count > int.MaxValue) throw new InvalidIdxFileException(name, $"image count {count} is too large");
        if (rows == 0 || cols == 0 || rows > limits.MaxImageSide || cols > limits.MaxImageSide)
            throw new InvalidIdxFileException(name, $"image size {rows}x{cols} is outside 1..{limits.MaxImageSide}");
        long payload;
        try
        {
            payload = checked(count * rows * cols);
        }
        catch (OverflowException e)
        {
            throw new InvalidIdxFileException(name, $"dimensions {count}x{rows}x{cols} overflow", e);
        }
        if (payload > limits.MaxPayloadBytes || payload > Array.MaxLength)
            throw new InvalidIdxFileException(name, $"dimensions {count}x{rows}x{cols} declare {payload:N0} bytes, over the limit of {Math.Min(limits.MaxPayloadBytes, Array.MaxLength):N0}");
        CheckLength(name, gzip, storedLength, 16, payload);
        var pixels = ReadPayload(source, name, payload);
        return new IdxImages((int)count, (int)rows, (int)cols, pixels);
    }

    /// <summary>Reads a label file (magic 0x00000801); every label must be below <see cref="IdxReadLimits.ClassCount"/>.</summary>
    /// <exception cref="InvalidIdxFileException">The file is malformed.</exception>
    /// <exception cref="ModelZooDataException">The file cannot be opened.</exception>
    public static byte[] ReadLabels(string path, IdxReadLimits? limits = null)
    {
        using var stream = OpenFile(path);
        return ReadLabels(stream, path, limits);
    }

    /// <summary>Reads a label file from a seekable stream; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="InvalidIdxFileException">The content is malformed.</exception>
    public static byte[] ReadLabels(Stream stream, string name, IdxReadLimits? limits = null)
    {
        limits ??= IdxReadLimits.Default;
        using var source = Open(stream, name, out bool gzip, out long storedLength);
        Span<byte> header = stackalloc byte[8];
        ReadHeader(source, header[..4], name);
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != LabelsMagic)
            throw new InvalidIdxFileException(name, $"wrong magic number 0x{magic:x8}, expected 0x{LabelsMagic:x8} (labels)" +
                (magic == ImagesMagic ? "; this is an images file" : ""));
        ReadHeader(source, header[4..], name, 4);
        long count = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        if (count == 0) throw new InvalidIdxFileException(name, "declares 0 labels");
        if (count > limits.MaxPayloadBytes || count > Array.MaxLength)
            throw new InvalidIdxFileException(name, $"label count {count:N0} is over the limit of {Math.Min(limits.MaxPayloadBytes, Array.MaxLength):N0}");
        CheckLength(name, gzip, storedLength, 8, count);
        var labels = ReadPayload(source, name, count);
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= limits.ClassCount)
                throw new InvalidIdxFileException(name, $"label {labels[i]} of record {i} is outside 0..{limits.ClassCount - 1}");
        }
        return labels;
    }

    /// <summary>True when the stream starts with the gzip magic (1f 8b); the position is restored.</summary>
    public static bool IsGzip(Stream stream)
    {
        long start = stream.Position;
        int b0 = stream.ReadByte();
        int b1 = stream.ReadByte();
        stream.Position = start;
        return b0 == 0x1f && b1 == 0x8b;
    }

    private static FileStream OpenFile(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelZooDataException($"Cannot open IDX file '{path}': {e.Message}", path, e);
        }
    }

    private static Stream Open(Stream stream, string name, out bool gzip, out long storedLength)
    {
        if (!stream.CanSeek) throw new ArgumentException("the IDX reader needs a seekable stream", nameof(stream));
        storedLength = stream.Length - stream.Position;
        gzip = IsGzip(stream);
        return gzip ? new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true) : new ModelZoo.Data.IO.ReadOnlyWindowStream(stream);
    }

    private static void ReadHeader(Stream source, Span<byte> header, string name, int offset = 0)
    {
        int got = ReadFull(source, header, name);
        if (got < header.Length)
            throw new InvalidIdxFileException(name, $"truncated header: ends after {offset + got} bytes");
    }

    private static void CheckLength(string name, bool gzip, long storedLength, int headerLength, long payload)
    {
        long expected = checked(headerLength + payload);
        if (!gzip)
        {
            if (storedLength < expected)
                throw new InvalidIdxFileException(name, $"truncated: {storedLength:N0} bytes, the header declares {expected:N0}");
            if (storedLength > expected)
                throw new InvalidIdxFileException(name, $"{storedLength - expected:N0} trailing bytes after the declared {expected:N0}");
        }
        else if (expected > checked(storedLength * MaxDeflateRatio + 4096))
        {
            throw new InvalidIdxFileException(name,
                $"the header declares {expected:N0} bytes, more than {storedLength:N0} gzip bytes can hold (corrupt header or gzip bomb)");
        }
    }

    private static byte[] ReadPayload(Stream source, string name, long length)
    {
        var data = new byte[length];
        int got = ReadFull(source, data, name);
        if (got < length)
            throw new InvalidIdxFileException(name, $"truncated payload: {got:N0} of {length:N0} bytes");
        Span<byte> one = stackalloc byte[1];
        if (ReadFull(source, one, name) > 0)
            throw new InvalidIdxFileException(name, $"trailing bytes after the declared {length:N0}-byte payload");
        return data;
    }

    private static int ReadFull(Stream source, Span<byte> buffer, string name)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = source.Read(buffer[total..]);
                if (n == 0) break;
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidIdxFileException(name, $"bad gzip data after {total:N0} bytes: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new InvalidIdxFileException(name, $"read error after {total:N0} bytes: {e.Message}", e);
        }
        return total;
    }
}
