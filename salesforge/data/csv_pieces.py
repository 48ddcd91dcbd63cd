"""A delimited text stream parsed by Arrow a piece at a time, each piece cut at a line end.

Arrow's ``read_csv`` of a whole file keeps the decompressed text until the table is built:
at 10 M sample rows 0.69 GB of text beside 0.81 GB of columns (its pool peaked at 1.75 GB).
Here a thread decompresses the next piece (:data:`PIECE_BYTES`) into one of three reused
buffers while Arrow parses the last one with its threads, so the text held is three
pieces, whose pages are touched once, and each piece's columns reach their final types
(:func:`~salesforge.data.arrow_frame.normalised_table`) while they are small.

The result is the table ``read_csv`` gives for the whole file, with the same errors: the
first piece is parsed as ``read_csv`` parses a file's start (the header, types inferred),
every later piece with the header's names, and each column's type is the one that holds
all its pieces (:func:`common_type`), as ``read_csv`` infers types block by block. What
this cannot read the same way (duplicate column names, a line longer than a piece, a
column of numbers in one piece and dates in another) raises :class:`Unsuited`, and the
caller reads the whole file instead."""

from __future__ import annotations

import copy
import dataclasses
import queue
import threading
from collections.abc import Callable

import pyarrow as pa
import pyarrow.csv as pacsv

from salesforge.data.arrow_frame import normalised_table

#: Decompressed bytes per piece. Measured on the 10 M-row sample (2 cores): 8 MiB pieces in
#: 4 MiB blocks touched the least new memory (400 k page faults; 16 MiB: 480 k, 32 MiB:
#: 650 k, as many as the whole-file read) and were the fastest, also at 2 M rows.
PIECE_BYTES = 1 << 23
#: Arrow parses a piece in this many blocks, side by side; a line longer than a block is
#: left to the whole-file read (its blocks are 8 MiB).
BLOCKS_PER_PIECE = 2
#: Buffers in turn: one parsed, one waiting, one filled by the reading thread.
BUFFERS = 3
#: ``fill(buffer, start, size)`` writes up to ``size`` next bytes of the stream into
#: ``buffer[start:]`` and returns how many (0 at the end).
Fill = Callable[[bytearray, int, int], int]
#: Encodings in which every byte 0x0A is a line end (so a piece can end there).
LINE_SAFE_ENCODINGS = ("utf8", "latin-1", "latin1", "iso-8859-1", "ascii", "cp1252")


class Unsuited(Exception):
    """The stream cannot be read in pieces the way ``read_csv`` reads it whole."""


def line_safe(encoding: str) -> bool:
    """Whether text in ``encoding`` can be cut at any ``\\n`` byte."""
    return encoding.replace("_", "-").lower() in LINE_SAFE_ENCODINGS


def read_pieces(fill: Fill, read: pacsv.ReadOptions, parse: pacsv.ParseOptions,
                convert: pacsv.ConvertOptions, piece_bytes: int | None = None) -> pa.Table:
    """The stream ``fill`` reads as one table (chunks of normalised types), in pieces of
    ``piece_bytes`` (:data:`PIECE_BYTES`). Arrow's errors are raised as ``read_csv``
    raises them; ``fill``'s own errors as they are."""
    piece_bytes = piece_bytes or PIECE_BYTES
    read = copy.copy(read)
    read.block_size = max(1, piece_bytes // BLOCKS_PER_PIECE)
    reader = _PieceReader(fill, piece_bytes)
    reader.start()
    try:
        tables: list[pa.Table] = []
        later: tuple[pacsv.ReadOptions, pacsv.ConvertOptions] | None = None
        while (piece := reader.next_piece()) is not None:
            buffer, size = piece
            data = pa.py_buffer(memoryview(buffer)[:size])
            try:
                if later is None:
                    table = pacsv.read_csv(data, read, parse, convert)
                    later = _later_options(table.schema, read, convert)
                else:
                    table = pacsv.read_csv(data, later[0], parse, later[1])
            except pa.ArrowInvalid as error:
                if "straddles two block boundaries" in str(error):
                    raise Unsuited("a line longer than a block") from None
                raise
            finally:
                del data
                reader.recycle(buffer)
            tables.append(_settled(table))  # cast while the piece is small
    finally:
        reader.stop()
    if not tables:
        raise Unsuited("no text")
    types = [common_type([t.schema.field(i).type for t in tables])
             for i in range(tables[0].num_columns)]
    return normalised_table(pa.concat_tables([_cast(t, types) for t in tables]))


def _settled(table: pa.Table) -> pa.Table:
    """``table`` normalised but for its all-empty (``null``) columns, whose type the other
    pieces decide."""
    nulls = [i for i, kind in enumerate(table.schema.types) if pa.types.is_null(kind)]
    normal = normalised_table(table, parallel=False)
    for i in nulls:
        normal = normal.set_column(i, table.field(i), table.column(i))
    return normal


def common_type(types: list[pa.DataType]) -> pa.DataType:
    """The type ``read_csv`` gives a column whose pieces were read as ``types``: a type
    all share (an all-empty piece is ``null``, text is text), ``float64`` for integers and
    decimals; other mixtures raise :class:`Unsuited`."""
    seen = {t for t in types if not pa.types.is_null(t)}
    if not seen:
        return pa.null()
    if all(pa.types.is_string(t) or pa.types.is_large_string(t) for t in seen):
        return pa.large_string()
    if len(seen) == 1:
        return seen.pop()
    if seen == {pa.int64(), pa.float64()}:
        return pa.float64()
    raise Unsuited(f"pieces of one column read as {', '.join(sorted(map(str, seen)))}")


def _cast(table: pa.Table, types: list[pa.DataType]) -> pa.Table:
    columns = []
    for column, kind in zip(table.columns, types, strict=True):
        if column.type != kind and not pa.types.is_large_string(kind):
            column = pa.nulls(len(column), kind) if pa.types.is_null(column.type) \
                else column.cast(kind)
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def _later_options(schema: pa.Schema, read: pacsv.ReadOptions,
                   convert: pacsv.ConvertOptions) -> tuple[pacsv.ReadOptions,
                                                            pacsv.ConvertOptions]:
    """The options of the pieces after the first: no header but the first piece's names;
    a column of text there is text everywhere, read straight into ``large_string`` (the
    type pandas keeps); the other columns' types are inferred piece by piece, as
    ``read_csv`` infers them block by block."""
    names = schema.names
    if len(set(names)) < len(names):
        raise Unsuited("duplicate column names")
    if read.skip_rows or read.skip_rows_after_names or read.autogenerate_column_names:
        raise Unsuited("rows skipped or names made up")
    later_read = copy.copy(read)
    later_read.column_names = names
    later_convert = copy.copy(convert)
    later_convert.column_types = {
        **{field.name: pa.large_string() for field in schema
           if pa.types.is_string(field.type) or pa.types.is_large_string(field.type)},
        **dict(convert.column_types)}
    return later_read, later_convert


@dataclasses.dataclass
class _Ended:
    error: BaseException | None = None


class _PieceReader(threading.Thread):
    """Fills buffers with whole lines of the stream, one piece ahead of the parser."""

    def __init__(self, fill: Fill, piece_bytes: int) -> None:
        super().__init__(name="salesforge-csv-pieces", daemon=True)
        self.fill, self.piece_bytes = fill, piece_bytes
        self.ready: queue.Queue[tuple[bytearray, int] | _Ended] = queue.Queue()
        self.free: queue.Queue[bytearray | None] = queue.Queue()
        for _ in range(BUFFERS):
            self.free.put(None)  # made on first use
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            self._read()
            self.ready.put(_Ended())
        except BaseException as error:  # raised again by next_piece, in the parser's thread
            self.ready.put(_Ended(error))

    def _read(self) -> None:
        carry = b""  # the line cut by the last piece's end
        size = self.piece_bytes
        while True:
            buffer = self._free_buffer()
            if buffer is None:
                return
            start = len(carry)
            if len(buffer) < start + size:
                buffer = bytearray(start + size)
            buffer[:start] = carry
            got = self.fill(buffer, start, size)
            end = start + got
            if got == 0:
                if end:
                    self.ready.put((buffer, end))
                return
            cut = buffer.rfind(b"\n", start, end) + 1
            if cut == 0:
                raise Unsuited(f"a line longer than {size:,} bytes")
            carry = bytes(buffer[cut:end])
            self.ready.put((buffer, cut))

    def _free_buffer(self) -> bytearray | None:
        while not self.stopping.is_set():
            try:
                buffer = self.free.get(timeout=0.1)
            except queue.Empty:
                continue
            return bytearray(self.piece_bytes + (1 << 16)) if buffer is None else buffer
        return None

    def next_piece(self) -> tuple[bytearray, int] | None:
        """The next filled buffer and its length, ``None`` after the last."""
        while True:
            try:
                item = self.ready.get(timeout=1.0)
            except queue.Empty:
                if self.is_alive():
                    continue
                raise RuntimeError("the CSV reading thread stopped unannounced") from None
            if isinstance(item, _Ended):
                if item.error is not None:
                    raise item.error
                return None
            return item

    def recycle(self, buffer: bytearray) -> None:
        """``buffer`` parsed: filled again, unless Arrow still holds it (then a new one)."""
        try:
            buffer.append(0)  # resizing fails while any view of the buffer is alive
            buffer.pop()
        except BufferError:
            buffer = bytearray(len(buffer))
        self.free.put(buffer)

    def stop(self) -> None:
        """Ends the thread (after the piece it is filling) and waits for it."""
        self.stopping.set()
        self.join()
