package dev.corkboard.bbs.store;

import java.util.List;
import java.util.Optional;

/**
 * One page of every task record, readable or not, in key order. All pages of one walk are read at the revision of the
 * first, so they are one snapshot; a record's mod revision is the one to compare when acting on it.
 *
 * @param records the page's records, at most the page size asked for
 * @param revision the etcd revision every page of this walk is read at
 * @param next where the next page starts; empty after the last page
 */
public record RecordPage(List<TaskRecord> records, long revision, Optional<RecordCursor> next) {}
