namespace ModelZoo.Training;

/// <summary>
/// <c>--overwrite</c> of a non-empty folder without losing it early: the old folder is renamed aside (next to it) before
/// anything is written, deleted once the new content is complete (<see cref="Commit"/>; for a run: its first
/// checkpoint), and moved back if the command fails before that (<see cref="Dispose"/>). Nothing is appended to or
/// mixed with the old folder's files.
/// </summary>
public sealed class FolderReplacement : IDisposable, ITrainingCallback
{
    private readonly string _target;
    private string? _aside;

    private FolderReplacement(string target, string? aside)
    {
        _target = target;
        _aside = aside;
    }

    /// <summary>Moves <paramref name="target"/> aside when <paramref name="replace"/>; otherwise a no-op replacement.</summary>
    public static FolderReplacement Begin(string target, bool replace)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        if (!replace || !Directory.Exists(full)) return new FolderReplacement(full, null);
        string aside = $"{full}.replaced-{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
        Directory.Move(full, aside);
        return new FolderReplacement(full, aside);
    }

    /// <summary>Where the old folder waits until <see cref="Commit"/>, or null.</summary>
    public string? Aside => _aside;

    /// <summary>The new content is complete: the old folder is deleted.</summary>
    public void Commit()
    {
        if (_aside is null) return;
        string aside = _aside;
        _aside = null;
        try { Directory.Delete(aside, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* the new run is in place; a leftover copy is harmless */ }
    }

    /// <summary>Commits once the run has written its <c>last</c> checkpoint.</summary>
    public void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        if (trainer.LastCheckpointPath is string last && File.Exists(last)) Commit();
    }

    /// <summary>Commits once the run has written its <c>last</c> checkpoint.</summary>
    public void OnTrainingEnd(Trainer trainer, TrainingStatus? status)
    {
        if (trainer.LastCheckpointPath is string last && File.Exists(last)) Commit();
    }

    /// <summary>Not committed: the partial new folder is removed and the old one moved back.</summary>
    public void Dispose()
    {
        if (_aside is null) return;
        try
        {
            if (Directory.Exists(_target)) Directory.Delete(_target, recursive: true);
            Directory.Move(_aside, _target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* the old folder stays at Aside */ }
        _aside = null;
    }
}
