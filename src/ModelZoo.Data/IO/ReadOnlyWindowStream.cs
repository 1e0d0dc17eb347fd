namespace ModelZoo.Data.IO;

/// <summary>
/// A forward-only, read-only view of a stream from its current position: at most <c>limit</c> bytes (all of them
/// when no limit is given), and disposing the view leaves the inner stream open. Used to hash all but a file's
/// trailer (checkpoints) and to hand a caller's stream to a reader without letting it close it (IDX).
/// </summary>
internal sealed class ReadOnlyWindowStream(Stream inner, long limit = long.MaxValue) : Stream
{
    private long _remaining = limit >= 0 ? limit : throw new ArgumentOutOfRangeException(nameof(limit), limit, "the limit must not be negative");

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0) return 0;
        if (buffer.Length > _remaining) buffer = buffer[..(int)_remaining];
        int n = inner.Read(buffer);
        _remaining -= n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
