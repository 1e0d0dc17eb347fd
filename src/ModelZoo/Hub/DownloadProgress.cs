namespace ModelZoo.Hub;

/// <summary>A progress report of a weights download.</summary>
/// <param name="Stage">What is happening.</param>
/// <param name="Source">The URL being read (while waiting for another process: the lock file).</param>
/// <param name="BytesReceived">Bytes of the file present so far.</param>
/// <param name="TotalBytes">The file's size, when the server or the table says it.</param>
public sealed record DownloadProgress(DownloadStage Stage, string Source, long BytesReceived, long? TotalBytes);
